import type { SipFlow } from '../core/records';
import { Guardrails } from './guardrails';
import { LiveBlocks } from './live-blocks';
import { DEFAULT_CONFIG } from '../core/config';
import { PlatformAddresses, platformFromConfig } from './platform-addresses';
import { GUARDRAILS, decision } from './test-decisions';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const flow = (src: string, dst: string, method: string, status?: number): SipFlow =>
  ({ source: { ip: src, port: 5060 }, destination: { ip: dst, port: 5060 }, sip: { call_id: 'c', method, ...(status !== undefined && { status }) } }) as SipFlow;

function rails(platform: PlatformAddresses) {
  return new Guardrails(GUARDRAILS, new LiveBlocks(), platform);
}

describe("the platform's own addresses are never blocked", () => {
  it('refuses loopback, the unspecified address and this host\'s own addresses, naming the guardrail (ignore_self, on by default)', () => {
    const g = new Guardrails(GUARDRAILS, new LiveBlocks()); // the default, as an enforcer built without options gets it
    for (const target of ['127.0.0.1', '127.8.9.1', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '0.0.0.0', '127.0.0.0/24', '0.0.0.0/0']) {
      expect(g.check(decision(target, 'block', 'firewall', target), T0)).toMatchObject({ outcome: 'refuse', guardrail: 'platform-address', reason: expect.stringContaining('ignore_self') });
    }
    const host = rails(new PlatformAddresses({ configured: [], ignoreSelf: true, learnServers: false, hostAddresses: ['10.9.8.7', 'FE80::1%eth0'] }));
    expect(host.check(decision('h', 'block', 'firewall', '10.9.8.7'), T0)).toMatchObject({ guardrail: 'platform-address', reason: expect.stringContaining("this host's own address") });
    expect(host.check(decision('h6', 'rate-limit', 'firewall', 'fe80::1'), T0)).toMatchObject({ guardrail: 'platform-address' });
    expect(host.check(decision('n', 'block', 'firewall', '10.9.8.6'), T0)).toMatchObject({ outcome: 'apply' });
    const off = rails(new PlatformAddresses({ configured: [], ignoreSelf: false, learnServers: false, hostAddresses: ['10.9.8.7'] }));
    expect(off.check(decision('o', 'block', 'firewall', '10.9.8.7'), T0)).toMatchObject({ outcome: 'apply' });
  });

  it('refuses configured PBX, SBC and carrier ranges in every spelling, and a wider block that holds one, for detectors and operators', () => {
    const g = rails(new PlatformAddresses({ configured: [{ range: '198.18.0.10', origin: 'enforcer.platform.addresses' }, { range: '2001:db8:5::/48', origin: 'trunk carrier-a' }], ignoreSelf: false, learnServers: false }));
    expect(g.check(decision('pbx', 'block', 'firewall', '198.18.0.10'), T0)).toMatchObject({ guardrail: 'platform-address', reason: expect.stringContaining('enforcer.platform.addresses') });
    expect(g.check(decision('wide', 'block', 'firewall', '198.18.0.0/16'), T0)).toMatchObject({ guardrail: 'platform-address' });
    expect(g.check(decision('v6', 'block', 'firewall', '2001:DB8:5:0:0:0:0:9'), T0)).toMatchObject({ guardrail: 'platform-address', reason: expect.stringContaining('trunk carrier-a') });
    expect(g.check(decision('op', 'block', 'firewall', '198.18.0.10', { origin: { type: 'operator', id: 'ana' } }), T0)).toMatchObject({ guardrail: 'platform-address' });
    // an aggregate limit, and a relay peer TURN users must not reach, protect our own destinations: that is what they are for
    expect(g.check(decision('agg', 'aggregate-limit', 'firewall', '198.18.0.10'), T0)).toMatchObject({ outcome: 'apply' });
    expect(g.check(decision('peer', 'deny-peer', 'relay', '198.18.0.10'), T0)).toMatchObject({ outcome: 'apply' });
    expect(new Guardrails(GUARDRAILS, new LiveBlocks()).check(decision('lo-peer', 'deny-peer', 'relay', '127.0.0.1'), T0)).toMatchObject({ outcome: 'apply' });
    expect(g.check(decision('other', 'block', 'firewall', '198.18.0.11'), T0)).toMatchObject({ outcome: 'apply' });
  });

  it('learns the registrars of the traffic: who challenged or accepted a REGISTER, not who merely answered or challenged other requests', () => {
    const p = new PlatformAddresses({ configured: [], ignoreSelf: false, learnServers: true });
    p.observe(flow('198.18.0.101', '198.18.0.10', 'REGISTER', 401)); // the PBX challenged a registration
    p.observe(flow('198.18.0.10', '2001:DB8::20', 'REGISTER', 407)); // the upstream carrier challenged the PBX's
    p.observe(flow('198.18.0.102', '198.18.0.11', 'REGISTER', 200)); // a registrar accepted one
    p.observe(flow('198.18.0.10', '198.18.0.101', 'INVITE', 200)); // a phone answering a call is no server
    p.observe(flow('198.18.0.10', '198.18.0.102', 'INVITE', 407)); // nor one that challenges the PBX's INVITE (it would make itself unblockable)
    p.observe(flow('203.0.113.9', '203.0.113.66', 'REGISTER')); // a REGISTER nobody answered
    p.observe(flow('203.0.113.9', '203.0.113.67', 'REGISTER', 483));
    const g = rails(p);
    const verdicts = ['198.18.0.10', '2001:db8::20', '198.18.0.11', '198.18.0.101', '198.18.0.102', '203.0.113.66', '203.0.113.67'].map((ip) => g.check(decision(ip, 'block', 'firewall', ip), T0).outcome);
    expect(verdicts).toEqual(['refuse', 'refuse', 'refuse', 'apply', 'apply', 'apply', 'apply']);
    expect(g.check(decision('w', 'block', 'firewall', '2001:db8::/64'), T0)).toMatchObject({ guardrail: 'platform-address', reason: expect.stringContaining('challenged a registration') });
    const off = new PlatformAddresses({ configured: [], ignoreSelf: false, learnServers: false });
    off.observe(flow('198.18.0.101', '198.18.0.10', 'REGISTER', 401));
    expect(off.match({ type: 'ip', value: '198.18.0.10' })).toBeUndefined();
  });

  it('holds a bounded number of learned servers', () => {
    const p = new PlatformAddresses({ configured: [], ignoreSelf: false, learnServers: true, maxLearned: 10 });
    for (let i = 0; i < 50; i++) p.observe(flow('192.0.2.1', `10.0.0.${i}`, 'REGISTER', 401));
    expect(p.match({ type: 'ip', value: '10.0.0.49' })).toBeDefined();
    expect(p.match({ type: 'ip', value: '10.0.0.0' })).toBeUndefined();
  });

  it('takes configured ranges from enforcer.platform and the trunks the detectors know, and names the key of a bad one', () => {
    const cfg = {
      ...DEFAULT_CONFIG,
      enforcer: { ...DEFAULT_CONFIG.enforcer, platform: { addresses: ['198.18.0.10'], ignore_self: false, learn_servers: false } },
      detectors: { 'policy/untrusted-trunk': { trunks: [{ name: 'carrier-a', addresses: ['198.18.0.20/31'] }] }, 'policy/trunk-to-trunk-transfer': { trunk_addresses: ['2001:db8:7::/48'] } },
    };
    const p = platformFromConfig(cfg, []);
    expect(p.match({ type: 'ip', value: '198.18.0.10' })?.why).toBe('configured in enforcer.platform.addresses');
    expect(p.match({ type: 'ip', value: '198.18.0.21' })?.why).toBe('configured in detectors.policy/untrusted-trunk.trunks.carrier-a.addresses');
    expect(p.match({ type: 'ip', value: '2001:db8:7::1' })?.why).toBe('configured in detectors.policy/trunk-to-trunk-transfer.trunk_addresses');
    expect(p.match({ type: 'ip', value: '198.18.0.22' })).toBeUndefined();
    expect(p.match({ type: 'account', value: '198.18.0.10' })).toBeUndefined();
    const bad = { ...cfg, enforcer: { ...cfg.enforcer, platform: { ...cfg.enforcer.platform, addresses: ['10.0.0.0/33'] } } };
    expect(() => platformFromConfig(bad, [])).toThrow(/enforcer\.platform\.addresses: bad prefix length in 10\.0\.0\.0\/33/);
  });
});
