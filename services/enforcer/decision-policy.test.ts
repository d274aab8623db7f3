import { DEFAULT_CONFIG } from '../core/config';
import type { Finding } from '../core/records';
import { decide } from './decision-policy';
import { PlatformAddresses } from './platform-addresses';

const policy = DEFAULT_CONFIG.decisions;
const finding = (over: Partial<Finding>): Finding =>
  ({
    '@timestamp': '2026-01-01T00:00:00.000Z',
    event: { id: 'f1' },
    rule: { id: 'sip/request-flood', name: 'flood', description: '150 INVITE in 10s' },
    key: { type: 'ip', value: '192.0.2.7' },
    remediation: 'block-source',
    ...over,
  }) as Finding;

describe('decision policy', () => {
  it('blocks a source for the full ttl when the offending packets provably came from it', () => {
    expect(decide(finding({ source_proven: true }), policy)).toMatchObject({ action: 'block', ttl_seconds: 600, scope: 'firewall', mode: 'dry-run' });
  });

  it('never blocks an established address on unproven evidence: forgers borrow those addresses', () => {
    const d = decide(finding({ source_proven: false, source_established: true }), policy);
    expect(d).toMatchObject({ action: 'rate-limit', ttl_seconds: 300 });
    expect(d.reason).toMatch(/established address.*rate-limited, not blocked/);
  });

  it('blocks a network only on proven evidence, else rate-limits it', () => {
    const net = { type: 'cidr' as const, value: '203.0.113.0/24' };
    expect(decide(finding({ key: net, source_proven: true }), policy)).toMatchObject({ action: 'block', ttl_seconds: 600 });
    const d = decide(finding({ key: net, source_proven: false }), policy);
    expect(d).toMatchObject({ action: 'rate-limit', target: net });
    expect(d.reason).toMatch(/spread over a network.*rate-limited, not blocked/);
  });

  it('gives an unknown address a short first ban on the strength of its own traffic', () => {
    expect(decide(finding({ source_proven: false, source_established: false }), policy)).toMatchObject({ action: 'block', ttl_seconds: 300 });
  });

  it('maps other remediations to their enforcement point and keeps ids stable', () => {
    const a = decide(finding({ key: { type: 'account', value: '105' }, remediation: 'suspend-account', source_proven: true }), policy);
    expect(a).toMatchObject({ action: 'suspend-account', scope: 'proxy', target: { type: 'account', value: '105' } });
    expect(decide(finding({ key: { type: 'account', value: '105' }, remediation: 'suspend-account', source_proven: true }), policy).id).toBe(a.id);
    expect(decide(finding({ remediation: 'alert-only' }), policy)).toMatchObject({ action: 'alert-only', ttl_seconds: 0 });
  });

  it('never suspends an account on evidence from unproven senders: a name in a header is a claim', () => {
    for (const source_proven of [false, undefined]) {
      const d = decide(finding({ rule: { id: 'fraud/high-cost-destination', name: 'irsf', category: 'fraud' }, key: { type: 'account', value: '105' }, remediation: 'suspend-account', source_proven }), policy);
      expect(d).toMatchObject({ action: 'alert-only', ttl_seconds: 0, target: { type: 'account', value: '105' } });
      expect(d.reason).toMatch(/unproven senders.*not suspended/);
    }
  });

  it('answers a flood from many unproven sources with one aggregate limit on the destination, not per-address blocks', () => {
    const d = decide(finding({ rule: { id: 'sip/distributed-flood', name: 'distributed', category: 'dos' }, key: { type: 'ip', value: '10.0.0.10' }, remediation: 'aggregate-limit', source_proven: false }), policy);
    expect(d).toMatchObject({ action: 'aggregate-limit', scope: 'firewall', target: { type: 'ip', value: '10.0.0.10' }, ttl_seconds: 300 });
  });
});

describe('decision policy and the platform', () => {
  it("turns a finding against the platform's own address into an alert that says why, and leaves aggregate limits alone", () => {
    const platform = new PlatformAddresses({ configured: [{ range: '198.18.0.10', origin: 'enforcer.platform.addresses' }], ignoreSelf: true, learnServers: false, hostAddresses: [] });
    const pbx = decide(finding({ key: { type: 'ip', value: '198.18.0.10' }, source_proven: true }), policy, platform);
    expect(pbx).toMatchObject({ action: 'alert-only', ttl_seconds: 0 });
    expect(pbx.reason).toMatch(/platform's own address 198\.18\.0\.10, never blocked: configured in enforcer\.platform\.addresses/);
    expect(decide(finding({ key: { type: 'ip', value: '127.0.0.1' } }), policy, platform)).toMatchObject({ action: 'alert-only' });
    expect(decide(finding({ key: { type: 'ip', value: '198.18.0.10' }, remediation: 'aggregate-limit' }), policy, platform)).toMatchObject({ action: 'aggregate-limit' });
    // a TURN user relaying to loopback: the relay must not reach it, which protects it
    expect(decide(finding({ key: { type: 'ip', value: '127.0.0.1' }, remediation: 'deny-peer' }), policy, platform)).toMatchObject({ action: 'deny-peer', scope: 'relay' });
    expect(decide(finding({ key: { type: 'ip', value: '198.18.0.11' }, source_proven: true }), policy, platform)).toMatchObject({ action: 'block' });
  });
});
