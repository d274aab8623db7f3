import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { encode } from '../core/codec';
import { MetricsRegistry } from '../core/metrics';
import { silentLogger, type Actuator } from '../core/ports';
import type { Decision } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { enforceStage } from './enforce-stage';
import { Guardrails } from './guardrails';

function recorder(name: string, scopes?: Decision['scope'][]): Actuator & { got: string[] } {
  const got: string[] = [];
  return {
    name,
    ...(scopes ? { scopes } : {}),
    got,
    init: async () => undefined,
    apply: async (ds) => ds.map((d) => (got.push(d.id), { decisionId: d.id, ok: true, detail: '' })),
    remove: async () => [],
    list: async () => [],
    shutdown: async () => undefined,
  };
}

const decision = (id: string, action: Decision['action'], scope: Decision['scope'], target: string): Decision =>
  ({ '@timestamp': '2026-01-01T00:00:00Z', event: { id, kind: 'event', dataset: 'callsentry.decision' }, id, action, target: { type: 'ip', value: target }, scope, ttl_seconds: 60, reason: 'r', finding_ids: [], origin: { type: 'detector', id: 'x' }, mode: 'enforce' }) as Decision;

describe('enforce stage', () => {
  it('gives each enforcement point its scope, skips alert-only, refuses allowlisted targets and applies a decision id once', async () => {
    const bus = new MemoryBus();
    const topics = new Topics();
    const firewall = recorder('nft', ['firewall']);
    const relay = recorder('coturn', ['relay']);
    const everything = recorder('dry-run');
    const stage = enforceStage({ topics, guardrails: new Guardrails({ allowlist: ['192.0.2.0/24'] }), actuators: [firewall, relay, everything], metrics: new MetricsRegistry(), log: silentLogger });
    await runStage(bus, stage, { log: silentLogger, metrics: new MetricsRegistry() });
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
  });
});
