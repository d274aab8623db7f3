import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { decode, encode } from '../core/codec';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger, type Actuator } from '../core/ports';
import type { AuditEvent, Decision } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { validateAuditEvent } from '../core/validate';
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
