import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { decode, encode } from '../core/codec';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger, type Actuator } from '../core/ports';
import type { AuditEvent, Decision } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { validateAuditEvent, validateDecision } from '../core/validate';
import { decisionLine, humanLine } from '../printer/format';
import { enforceStage } from './enforce-stage';
import { Enforcer } from './enforcer';
import { GUARDRAILS, decision } from './test-decisions';

function recorder(name: string, scopes?: Decision['scope'][]): Actuator & { got: string[] } {
  const got: string[] = [];
  return {
    name,
    ...(scopes ? { scopes } : {}),
    got,
    init: async () => undefined,
    apply: async (ds) => ds.map((d) => (got.push(d.id), { decisionId: d.id, ok: true, detail: 'ok' })),
    remove: async () => [],
    list: async () => [],
    shutdown: async () => undefined,
  };
}

describe('enforce stage', () => {
  it('gives each enforcement point its scope, skips alert-only, refuses allowlisted targets, applies a decision id once and audits every outcome', async () => {
    const bus = new MemoryBus();
    const topics = new Topics();
    const firewall = recorder('nft', ['firewall']);
    const relay = recorder('coturn', ['relay']);
    const everything = recorder('dry-run');
    const enforcer = new Enforcer({ actuators: [firewall, relay, everything], guardrails: { ...GUARDRAILS, allowlist: ['192.0.2.0/24'] }, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')), log: silentLogger, metrics: new PromMetricsRegistry() });
    await runStage(bus, enforceStage({ topics, enforcer, log: silentLogger }), { log: silentLogger, metrics: new PromMetricsRegistry() });
    const audit: AuditEvent[] = [];
    await bus.subscribe({ groupId: 'audit-reader', topics: [topics.name('audit.v1')], handler: async (b) => void b.messages.forEach((m) => audit.push(decode<AuditEvent>(m))) });
    const ds = [
      decision('d1', 'block', 'firewall', '203.0.113.1'),
      decision('d2', 'deny-peer', 'relay', '10.0.0.5'),
      decision('d3', 'alert-only', 'firewall', '203.0.113.2'),
      decision('d4', 'block', 'firewall', '192.0.2.7'), // allowlisted
      decision('d1', 'block', 'firewall', '203.0.113.1'), // replayed
    ];
    await (await bus.producer()).send(topics.name('decisions.v1'), ds.map((d) => encode(d.target.value, d)));
    await bus.drained();
    await bus.close();
    expect(firewall.got).toEqual(['d1']);
    expect(relay.got).toEqual(['d2']);
    expect(everything.got.sort()).toEqual(['d1', 'd2']);
    expect(audit.every((e) => validateAuditEvent(e))).toBe(true);
    const byDecision = Object.fromEntries(audit.map((e) => [e.ref?.id, e.result]));
    expect(Object.keys(byDecision).sort()).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(byDecision.d1).toMatch(/^applied: nft: ok; dry-run: ok$/);
    expect(byDecision.d3).toMatch(/^no change/);
    expect(byDecision.d4).toMatch(/^refused by guardrail allowlist: 192\.0\.2\.7 is in allowlisted range 192\.0\.2\.0\/24/);
  });
});

describe('outcomes on decisions.outcomes.v1', () => {
  async function rig(allowlist: string[] = []) {
    const bus = new MemoryBus();
    const topics = new Topics();
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const enforcer = new Enforcer({ actuators: [recorder('dry-run')], guardrails: { ...GUARDRAILS, allowlist }, clock, log: silentLogger, metrics: new PromMetricsRegistry() });
    await runStage(bus, enforceStage({ topics, enforcer, log: silentLogger, enforcerId: 'e1', now: () => clock.now() }), { log: silentLogger, metrics: new PromMetricsRegistry() });
    const outcomes: Decision[] = [];
    await bus.subscribe({ groupId: 'outcomes', topics: [topics.name('decisions.outcomes.v1')], handler: async (b) => void b.messages.forEach((m) => outcomes.push(decode<Decision>(m))) });
    const send = async (...ds: Decision[]) => {
      await (await bus.producer()).send(topics.name('decisions.v1'), ds.map((d) => encode(d.target.value, d)));
      await bus.drained();
    };
    return { bus, clock, outcomes, send };
  }

  it('a repeat offender: the record carries the ttl applied (600 s), the offense and the guardrail; the line printed from it says 600s', async () => {
    const r = await rig();
    await r.send(decision('first', 'block', 'firewall', '203.0.113.9', { ttl_seconds: 300, mode: 'dry-run', source_proven: true }));
    r.clock.advance(301_000); // the first ban ran out; the address comes back
    await r.send(decision('second', 'block', 'firewall', '203.0.113.9', { ttl_seconds: 300, mode: 'dry-run', source_proven: true }));
    await r.bus.close();
    expect(r.outcomes.every((o) => validateDecision(o))).toBe(true);
    const second = r.outcomes.find((o) => o.id === 'second')!;
    expect(second).toMatchObject({ ttl_seconds: 300, outcome: { result: 'applied', guardrail: 'repeat-offender', offense: 2, ttl_applied_seconds: 600, enforcer: 'e1', expires_at: '2026-01-01T00:15:01.000Z' } });
    expect(humanLine(decisionLine(second))).toMatch(/DECISION {2}dry-run .* block ip=203\.0\.113\.9 at firewall for 600s \(repeat offender x2, 300s requested\)$/);
  });

  it('an allowlisted target: refused, by the allowlist, with no ttl applied', async () => {
    const r = await rig(['192.0.2.0/24']);
    await r.send(decision('d4', 'block', 'firewall', '192.0.2.7', { mode: 'dry-run' }));
    await r.bus.close();
    expect(r.outcomes).toEqual([expect.objectContaining({ id: 'd4', outcome: expect.objectContaining({ result: 'refused', guardrail: 'allowlist', reason: expect.stringMatching(/192\.0\.2\.7 is in allowlisted range 192\.0\.2\.0\/24/) }) })]);
    expect(r.outcomes[0].outcome!.ttl_applied_seconds).toBeUndefined();
    expect(validateDecision(r.outcomes[0])).toBe(true);
  });

  it("an unproven ban past the budget: applied as a rate limit, and the record says which guardrail changed it", async () => {
    const r = await rig();
    const ds = Array.from({ length: GUARDRAILS.max_unproven_bans_per_minute + 1 }, (_, i) => decision(`u${i}`, 'block', 'firewall', `198.51.100.${i + 1}`, { source_proven: false, mode: 'dry-run' }));
    await r.send(...ds);
    await r.bus.close();
    // whichever came last (partitions interleave): one past the budget
    const limited = r.outcomes.filter((o) => o.outcome?.action_applied !== undefined);
    expect(limited).toEqual([expect.objectContaining({ action: 'block', outcome: expect.objectContaining({ result: 'applied', action_applied: 'rate-limit', guardrail: 'unproven-ban-budget' }) })]);
    expect(r.outcomes.filter((o) => o.outcome?.action_applied === undefined)).toHaveLength(GUARDRAILS.max_unproven_bans_per_minute);
  });

  it("an unblock of what is not live: no change, and no removal reported", async () => {
    const r = await rig();
    await r.send(decision('u1', 'unblock', 'firewall', '203.0.113.200', { ttl_seconds: 0, origin: { type: 'operator', id: 'ana' }, operator: { who: 'ana', why: 'x', ticket: 'T' } }));
    await r.bus.close();
    expect(r.outcomes).toEqual([expect.objectContaining({ id: 'u1', outcome: expect.objectContaining({ result: 'noop', reason: '203.0.113.200 has no live firewall block or limit held by this enforcer' }) })]);
  });
});
