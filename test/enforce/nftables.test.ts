// The nftables actuator against the real kernel: it runs inside a namespace of its own, and real
// UDP from a second namespace shows what its sets do. Needs root, nft and conntrack (see netns-lab).
import { systemClock } from '../../services/core/clock';
import { silentLogger } from '../../services/core/ports';
import type { Action, Decision, KeyType } from '../../services/core/records';
import { NftablesActuator } from '../../services/adapters/nftables/nftables-actuator';
import { parseRuleCounters } from '../../services/adapters/nftables/nft-json';
import { hostCommands } from '../../services/adapters/nftables/nft-runner';
import { canonical } from '../../services/adapters/nftables/nft-element';
import { PromMetricsRegistry } from '../../services/adapters/metrics-prom/prom-registry';
import { Enforcer } from '../../services/enforcer/enforcer';
import { GUARDRAILS } from '../../services/enforcer/test-decisions';
import { createLab, requireRootAndTools, sh, udpProbe, type Lab } from './netns-lab';

const TABLE = 'cs_test';
const PROBE = { count: 5, gapMs: 20 };
let seq = 0;

function decision(action: Action, type: KeyType, value: string, ttl: number): Decision {
  const id = `it-${++seq}`;
  return {
    '@timestamp': new Date().toISOString(),
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action,
    target: { type, value },
    scope: 'firewall',
    ttl_seconds: ttl,
    reason: 'integration test',
    finding_ids: [],
    origin: { type: 'operator', id: 'jest' },
    mode: 'enforce',
  };
}

describe('nftables actuator in a network namespace', () => {
  let lab: Lab | undefined;
  let actuator: NftablesActuator;
  let v4: string;
  let v6: string;

  const counter = async (name: string): Promise<number> => {
    const out = await hostCommands({ netns: lab!.dst }).nft(['-j', 'list', 'chain', 'inet', TABLE, 'input']);
    return parseRuleCounters(out).get(`input ${name}`) ?? NaN;
  };
  const probe4 = () => udpProbe(lab!, { family: 4, ...PROBE });
  const live = async (value: string) => (await actuator.list()).find((e) => e.target.value === value);

  beforeAll(async () => {
    requireRootAndTools();
    lab = createLab();
    v4 = lab.srcIp4;
    v6 = canonical(lab.srcIp6)!;
    actuator = new NftablesActuator({
      log: silentLogger,
      clock: systemClock,
      runner: { netns: lab.dst },
      ruleset: { table: TABLE, rateLimit: { packetsPerSecond: 5, burst: 5 }, aggregateLimit: { packetsPerSecond: 5, burst: 5 } },
    });
    await actuator.init();
    await actuator.init(); // a restart: idempotent
  });

  afterAll(() => lab?.destroy());

  it('lets packets through before any decision', async () => {
    expect(await probe4()).toBe(PROBE.count);
  });

  it('drops a blocked source, counts the drops, lists the element with its timeout, and unblocks on remove', async () => {
    const block = decision('block', 'ip', v4, 60);
    const before = await counter('block_addr4');
    expect(await actuator.apply([block])).toEqual([{ decisionId: block.id, ok: true, detail: 'in block_addr4' }]);

    expect(await probe4()).toBe(0);
    expect((await counter('block_addr4')) - before).toBe(PROBE.count);
    const entry = await live(v4);
    expect(entry).toMatchObject({ kind: 'block', target: { type: 'ip', value: v4 } });
    expect(entry!.expiresAt! - Date.now()).toBeGreaterThan(50_000);
    expect(entry!.expiresAt! - Date.now()).toBeLessThanOrEqual(61_000);

    expect((await actuator.remove([block]))[0].ok).toBe(true);
    expect(await live(v4)).toBeUndefined();
    expect(await probe4()).toBe(PROBE.count);
  });

  it('lets the kernel expire a block by itself', async () => {
    await actuator.apply([decision('block', 'ip', v4, 2)]);
    expect(await probe4()).toBe(0);
    const deadline = Date.now() + 8_000;
    while ((await live(v4)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await live(v4)).toBeUndefined();
    expect(await probe4()).toBe(PROBE.count);
  });

  it('extends the timeout when a decision is renewed', async () => {
    await actuator.apply([decision('block', 'ip', v4, 2)]);
    await actuator.apply([decision('block', 'ip', v4, 120)]);
    expect((await live(v4))!.expiresAt! - Date.now()).toBeGreaterThan(100_000);
    await actuator.apply([decision('unblock', 'ip', v4, 0)]);
    expect(await live(v4)).toBeUndefined();
  });

  it('rate-limits a source instead of blocking it', async () => {
    const limit = decision('rate-limit', 'ip', v4, 60);
    await actuator.apply([limit]);
    const before = await counter('limit_addr4');
    const got = await udpProbe(lab!, { family: 4, count: 60, gapMs: 0 });
    // burst 5 plus 5/s over the moment it takes to send: a handful, never the 60 sent, never none
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(30);
    expect((await counter('limit_addr4')) - before).toBe(60 - got);
    await actuator.remove([limit]);
    expect(await udpProbe(lab!, { family: 4, count: 20, gapMs: 0 })).toBe(20);
  });

  it('limits all the UDP a protected destination receives under an aggregate limit, from any source', async () => {
    const agg = decision('aggregate-limit', 'ip', lab!.dstIp4, 60);
    expect((await actuator.apply([agg]))[0]).toMatchObject({ ok: true, detail: 'in aggregate_addr4' });
    const before = await counter('aggregate_addr4');
    const got = await udpProbe(lab!, { family: 4, count: 60, gapMs: 0 });
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(30);
    expect((await counter('aggregate_addr4')) - before).toBe(60 - got);
    await actuator.remove([agg]);
    expect(await udpProbe(lab!, { family: 4, count: 20, gapMs: 0 })).toBe(20);
  });

  it('an enforcer restores a block that vanished from the set, and a restarted one adopts what is live', async () => {
    const enforcer = new Enforcer({ actuators: [actuator], guardrails: GUARDRAILS, clock: systemClock, log: silentLogger, metrics: new PromMetricsRegistry() });
    await enforcer.start();
    const block = decision('block', 'ip', v4, 120);
    expect((await enforcer.enforce([{ ...block, origin: { type: 'detector', id: 'sip/request-flood' } }]))[0].result).toBe('applied');
    expect(await probe4()).toBe(0);
    // somebody flushes our set by hand: the attacker is back
    await hostCommands({ netns: lab!.dst }).nft(['flush', 'set', 'inet', TABLE, 'block_addr4']);
    expect(await probe4()).toBe(PROBE.count);
    expect(await enforcer.reconcile()).toBe(1);
    expect(await probe4()).toBe(0);
    const restarted = new Enforcer({ actuators: [actuator], guardrails: GUARDRAILS, clock: systemClock, log: silentLogger, metrics: new PromMetricsRegistry() });
    await restarted.start();
    expect(await restarted.list()).toEqual([expect.objectContaining({ target: { type: 'ip', value: v4 }, action: 'block', actuators: ['nftables'] })]);
    expect(restarted.live.count(Date.now())).toBe(1);
    const [u] = await restarted.enforce([{ ...decision('unblock', 'ip', v4, 0), origin: { type: 'operator', id: 'jest' } }]);
    expect(u.result).toBe('removed');
    expect(await probe4()).toBe(PROBE.count);
  });

  it('blocks IPv6 sources, and CIDR ranges', async () => {
    const probe6 = () => udpProbe(lab!, { family: 6, ...PROBE });
    expect(await probe6()).toBe(PROBE.count);
    const block6 = decision('block', 'ip', lab!.srcIp6.toUpperCase(), 60);
    expect((await actuator.apply([block6]))[0].ok).toBe(true);
    expect(await probe6()).toBe(0);
    expect(await counter('block_addr6')).toBeGreaterThanOrEqual(PROBE.count);
    expect(await live(v6)).toMatchObject({ kind: 'block', set: 'block_addr6' });
    await actuator.remove([block6]);
    expect(await probe6()).toBe(PROBE.count);

    const net = decision('block', 'cidr', '10.249.0.0/16', 60);
    expect((await actuator.apply([net]))[0].ok).toBe(true);
    expect(await probe4()).toBe(0);
    await actuator.remove([net]);
    expect(await probe4()).toBe(PROBE.count);
  });

  it('deletes the conntrack entries of a source it blocks', async () => {
    // a ct expression makes the namespace track connections, as a stateful host firewall would
    await hostCommands({ netns: lab!.dst }).nft(['-f', '-'], 'add table inet cs_ct\nadd chain inet cs_ct input { type filter hook input priority 0; }\nadd rule inet cs_ct input ct state established,related accept\n');
    const tracked = () => sh(['ip', 'netns', 'exec', lab!.dst, 'conntrack', '-L', '-f', 'ipv4', '-s', v4]).split('\n').filter(Boolean).length;
    expect(await probe4()).toBe(PROBE.count);
    expect(tracked()).toBeGreaterThan(0);
    const block = decision('block', 'ip', v4, 60);
    expect(await actuator.apply([block])).toEqual([{ decisionId: block.id, ok: true, detail: 'in block_addr4' }]);
    expect(tracked()).toBe(0);
    await actuator.remove([block]);
    sh(['ip', 'netns', 'exec', lab!.dst, 'nft', 'delete', 'table', 'inet', 'cs_ct']);
  });

  it('reconciles: re-adds a desired block that is missing and reports what nobody asked for', async () => {
    const stray = decision('block', 'ip', '192.0.2.77', 60);
    await actuator.apply([stray]);
    const wanted = decision('block', 'ip', v4, 60);
    const report = await actuator.reconcile([wanted]);
    expect(report.restored).toEqual([{ decisionId: wanted.id, ok: true, detail: 'in block_addr4' }]);
    expect(report.extras.map((e) => e.target.value)).toEqual(['192.0.2.77']);
    expect(await probe4()).toBe(0);
    expect((await actuator.reconcile([wanted])).restored).toEqual([]);
    await actuator.remove([wanted, stray]);
  });

  it('refuses an injection attempt without touching the ruleset', async () => {
    const [r] = await actuator.apply([decision('block', 'ip', `${v4}; flush ruleset`, 60)]);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^rejected: /);
    expect(await counter('block_addr4')).not.toBeNaN();
  });
});
