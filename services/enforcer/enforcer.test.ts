import { DryRunActuator } from '../adapters/dry-run/dry-run-actuator';
import { ManualClock } from '../core/clock';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger, type Actuator } from '../core/ports';
import { outcomeEvent } from './audit-events';
import { Enforcer } from './enforcer';
import { GUARDRAILS, decision } from './test-decisions';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function setup(actuators?: (clock: ManualClock) => Actuator[]) {
  const clock = new ManualClock(T0);
  const point = new DryRunActuator(silentLogger, clock, 'point');
  const metrics = new PromMetricsRegistry();
  const enforcer = new Enforcer({ actuators: actuators ? actuators(clock) : [point], guardrails: GUARDRAILS, clock, log: silentLogger, metrics });
  return { clock, point, enforcer, metrics };
}

describe('enforcer', () => {
  it('applies, lists with reason and expiry, and removes on unblock', async () => {
    const { enforcer, point, clock } = setup();
    await enforcer.start();
    const [o] = await enforcer.enforce([decision('b1', 'block', 'firewall', '203.0.113.1', { reason: 'sip/request-flood: INVITE flood', ttl_seconds: 600 })]);
    expect(o).toMatchObject({ result: 'applied', details: ['point: dry-run'] });
    clock.advance(100_000);
    expect(await enforcer.list()).toEqual([
      expect.objectContaining({ target: { type: 'ip', value: '203.0.113.1' }, action: 'block', reason: 'sip/request-flood: INVITE flood', expiresAt: T0 + 600_000, actuators: ['point'] }),
    ]);
    const [u] = await enforcer.enforce([decision('u1', 'unblock', 'firewall', '203.0.113.1', { ttl_seconds: 0 })]);
    expect(u.result).toBe('removed');
    expect(await point.list()).toEqual([]);
    expect(await enforcer.list()).toEqual([]);
  });

  it('knows an address in every spelling: a renewal, an unblock and the live list agree on one text', async () => {
    const { enforcer, point } = setup();
    const [b] = await enforcer.enforce([decision('b6', 'block', 'firewall', '2001:DB8:0:0:0:0:0:5', { ttl_seconds: 600 })]);
    expect(b).toMatchObject({ result: 'applied', decision: { target: { type: 'ip', value: '2001:db8::5' } } });
    expect((await enforcer.enforce([decision('b6-again', 'block', 'firewall', '2001:db8::5', { ttl_seconds: 600 })]))[0].result).toBe('renewed');
    expect((await enforcer.enforce([decision('b4', 'block', 'firewall', '::ffff:203.0.113.4', { ttl_seconds: 600 })]))[0]).toMatchObject({ decision: { target: { value: '203.0.113.4' } } });
    expect((await enforcer.enforce([decision('u4', 'unblock', 'firewall', '203.0.113.4', { ttl_seconds: 0 })]))[0].result).toBe('removed');
    expect((await enforcer.enforce([decision('u6', 'unblock', 'firewall', '2001:0db8::0005', { ttl_seconds: 0 })]))[0].result).toBe('removed');
    expect(await point.list()).toEqual([]);
    expect(await enforcer.list()).toEqual([]);
  });

  it("refuses to block loopback or this host, from a detector or an operator, and the audit entry names the guardrail", async () => {
    const { enforcer, point } = setup();
    const outcomes = await enforcer.enforce([
      decision('lo', 'block', 'firewall', '127.0.0.1'),
      decision('op', 'block', 'firewall', '::1', { origin: { type: 'operator', id: 'ana' }, operator: { who: 'ana', why: 'test', ticket: 'NOC-9' } }),
    ]);
    expect(outcomes.map((o) => [o.result, 'guardrail' in o ? o.guardrail : undefined])).toEqual([
      ['refused', 'platform-address'],
      ['refused', 'platform-address'],
    ]);
    expect(outcomeEvent(outcomes[0], 'enforcer-1', '2026-01-01T00:00:00Z').result).toMatch(/^refused by guardrail platform-address: 127\.0\.0\.1 is the platform's own address 127\.0\.0\.0\/8: loopback/);
    expect(await point.list()).toEqual([]);
  });

  it('extends a live block on a renewal and never shortens it', async () => {
    const { enforcer, point, clock } = setup();
    await enforcer.enforce([decision('b1', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 600 })]);
    clock.advance(60_000);
    const [longer] = await enforcer.enforce([decision('ext', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 3600 })]);
    expect(longer.result).toBe('renewed');
    expect((await point.list())[0].expiresAt).toBe(T0 + 60_000 + 3_600_000);
    const [shorter] = await enforcer.enforce([decision('short', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 10 })]);
    expect(shorter.result).toBe('renewed');
    expect((await point.list())[0].expiresAt).toBe(T0 + 60_000 + 3_600_000);
  });

  it('adopts what is live at the enforcement point when it starts, and counts it', async () => {
    const { enforcer, point, metrics } = setup();
    await point.apply([decision('before', 'block', 'firewall', '198.51.100.9', { ttl_seconds: 300 })]);
    await enforcer.start();
    expect(await metrics.gauge('callsentry_enforcer_live_blocks', '').get()).toBe(1);
    expect(await enforcer.list()).toEqual([expect.objectContaining({ target: { type: 'ip', value: '198.51.100.9' }, reason: expect.stringContaining('live at the enforcement point') })]);
  });

  it('reconciles: restores what an enforcement point lost, for the time it has left', async () => {
    const { enforcer, point, clock } = setup();
    await enforcer.enforce([decision('b1', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 600 })]);
    await point.remove([decision('flush', 'unblock', 'firewall', '203.0.113.1')]); // somebody flushed the set
    clock.advance(200_000);
    expect(await enforcer.reconcile()).toBe(1);
    expect(await point.list()).toEqual([expect.objectContaining({ target: { type: 'ip', value: '203.0.113.1' }, expiresAt: T0 + 600_000 })]);
    expect(await enforcer.reconcile()).toBe(0);
  });

  it('reports a failed enforcement point per decision, keeps running, and does not count the block as live', async () => {
    const broken: Actuator = {
      name: 'broken',
      init: async () => undefined,
      apply: async () => {
        throw new Error('nft: connection refused');
      },
      remove: async () => [],
      list: async () => [],
      shutdown: async () => undefined,
    };
    const { enforcer } = setup(() => [broken]);
    const [o] = await enforcer.enforce([decision('b1', 'block', 'firewall', '203.0.113.1')]);
    expect(o).toMatchObject({ result: 'failed', details: ['broken: apply failed: nft: connection refused'] });
    expect(enforcer.live.count(T0)).toBe(0);
  });

  it('unblocks what is live inside a range an operator allowlists, and refuses it afterwards', async () => {
    const { enforcer, point } = setup();
    await enforcer.enforce([decision('b1', 'block', 'firewall', '198.51.100.7'), decision('b2', 'block', 'firewall', '203.0.113.1')]);
    const operator = { who: 'ana', why: 'carrier trunk', ticket: 'NOC-7' };
    const outcomes = await enforcer.allowlist({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '198.51.100.0/24', operator }, (t) => `unblock-${t.value}`);
    expect(outcomes).toEqual([expect.objectContaining({ result: 'removed', decision: expect.objectContaining({ id: 'unblock-198.51.100.7', operator }) })]);
    expect((await point.list()).map((e) => e.target.value)).toEqual(['203.0.113.1']);
    const [again] = await enforcer.enforce([decision('b3', 'block', 'firewall', '198.51.100.7')]);
    expect(again).toMatchObject({ result: 'refused', guardrail: 'allowlist' });
  });
});

describe('an operator extends a live block', () => {
  it('keeps the block’s reason and evidence and adds the note beside them', async () => {
    const { enforcer, clock } = setup();
    await enforcer.enforce([decision('b1', 'block', 'firewall', '203.0.113.1', { reason: 'sip/request-flood: INVITE flood', finding_ids: ['f1'], ttl_seconds: 600 })]);
    clock.advance(60_000);
    const note = { who: 'ana', why: 'came back twice', ticket: 'SEC-12' };
    const [o] = await enforcer.enforce([decision('x1', 'block', 'firewall', '203.0.113.1', { '@timestamp': '2026-01-01T00:01:00Z', reason: 'operator extend by ana (SEC-12): came back twice', ttl_seconds: 86_400, origin: { type: 'operator', id: 'ana' }, operator: note })]);
    expect(o).toMatchObject({ result: 'renewed', expiresAt: T0 + 60_000 + 86_400_000 });
    const [live] = await enforcer.list();
    expect(live).toMatchObject({ reason: 'sip/request-flood: INVITE flood', findingIds: ['f1'], decisionId: 'b1', origin: { type: 'detector', id: 'x' }, notes: [{ ...note, at: '2026-01-01T00:01:00Z', ttl_seconds: 86_400 }] });
    expect(live.expiresAt).toBe(T0 + 60_000 + 86_400_000);
  });
});
