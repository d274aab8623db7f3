import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { decode, encode } from '../core/codec';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { decision } from '../enforcer/test-decisions';
import { outcomeEvent } from '../enforcer/audit-events';
import { GENESIS_HASH } from './canonical';
import { auditStage, publishToLogTopic } from './audit-stage';
import { ChainWriter } from './chain-writer';
import { MemoryAuditStore } from './store';
import { finding, T0 } from './test-records';
import { ChainVerifier } from './verify-chain';

describe('audit stage', () => {
  it('chains findings, decisions and audit events once each, in one gap-free sequence, and publishes them in order', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4 });
    const topics = new Topics();
    const store = new MemoryAuditStore();
    await bus.ensureTopics([{ name: topics.name('audit.log.v1'), partitions: 1 }]);
    const producer = await bus.producer();
    const writer = new ChainWriter({ store, clock: new ManualClock(T0), log: silentLogger, publish: publishToLogTopic(producer, topics) });
    const deps = { log: silentLogger, metrics: new PromMetricsRegistry() };
    await runStage(bus, auditStage({ topics, writer }), deps);
    const published: AuditEntry[] = [];
    await bus.subscribe({ groupId: 'indexer', topics: [topics.name('audit.log.v1')], handler: async (b) => void b.messages.forEach((m) => published.push(decode<AuditEntry>(m))) });

    const findings = Array.from({ length: 40 }, (_, i) => finding(`f${i}`, 'sip/request-flood', `203.0.113.${i}`));
    const decisions = Array.from({ length: 20 }, (_, i) => decision(`d${i}`, 'block', 'firewall', `203.0.113.${i}`));
    const events = decisions.map((d) => outcomeEvent({ decision: d, result: 'applied', details: ['nft: ok'] }, 'enforcer-1', d['@timestamp']));
    const send = async () => {
      await producer.send(topics.name('findings.v1'), findings.map((f) => encode(f.key.value, f)));
      await producer.send(topics.name('decisions.v1'), decisions.map((d) => encode(d.target.value, d)));
      await producer.send(topics.name('audit.v1'), events.map((e) => encode(e.ref!.id, e)));
    };
    await send();
    await send(); // a replay of everything: nothing is chained twice
    await producer.send(topics.name('audit.v1'), [encode('x', { not: 'an audit event' }), encode('y', '{broken')]);
    await bus.drained();
    await bus.close();

    expect(store.all).toHaveLength(80);
    expect(store.all.map((e) => e.sequence)).toEqual([...Array(80).keys()]);
    expect(new Set(store.all.map((e) => e.source_id)).size).toBe(80);
    const v = new ChainVerifier({ sequence: 0, hashPrev: GENESIS_HASH });
    store.all.forEach((e, i) => v.push(e, i + 1));
    expect(v.firstBreak).toBeUndefined();
    expect(store.all.find((e) => e.source_id === 'finding:f3')).toMatchObject({ actor: { type: 'detector', id: 'sip/request-flood' }, what: 'finding sip/request-flood ip=203.0.113.3', result: 'recorded' });
    expect(store.all.find((e) => e.source_id === 'decision:d3')).toMatchObject({ actor: { type: 'decider', id: 'x' }, what: 'decision block ip=203.0.113.3 at firewall for 60s' });
    // the topic gets every entry, in sequence order (replays re-publish entries already chained)
    const firstSeen = published.filter((e, i) => published.findIndex((p) => p.sequence === e.sequence) === i);
    expect(firstSeen.map((e) => e.sequence)).toEqual([...Array(80).keys()]);
    const dlq = bus.read(topics.dlq('audit.v1')).map((m) => m.headers['callsentry-dlq-reason']);
    expect(dlq.sort()).toEqual(['BAD_JSON', 'BAD_RECORD']);
  });
});

describe('audit stage and incidents', () => {
  it('chains the incident versions that open, escalate, reach a phase, change status or close, not every growth', async () => {
    const { Correlator } = await import('../incidents/correlator');
    const { DEFAULT_CONFIG } = await import('../core/config');
    const bus = new MemoryBus({ defaultPartitions: 1 });
    const topics = new Topics();
    const store = new MemoryAuditStore();
    const producer = await bus.producer();
    const writer = new ChainWriter({ store, clock: new ManualClock(T0), log: silentLogger });
    await runStage(bus, auditStage({ topics, writer, groupId: 'audit-incidents' }), { log: silentLogger, metrics: new PromMetricsRegistry() });
    const c = new Correlator(DEFAULT_CONFIG.incidents);
    const f1 = finding('f1', 'sip/request-flood', '203.0.113.9');
    const f2 = { ...finding('f2', 'sip/request-flood', '203.0.113.9'), severity: 'critical' as const };
    const f3 = finding('f3', 'sip/request-flood', '203.0.113.9');
    const versions = [...c.finding(f1), ...c.finding(f2), ...c.finding(f3)];
    versions.push(...c.action({ '@timestamp': f3.last_seen, id: 'a1', incident_id: versions[0].id, action: 'ack', operator: { who: 'ana', why: 'on it', ticket: 'NOC-1' } }));
    await producer.send(topics.name('incidents.v1'), versions.map((v) => encode(v.id, v)));
    await bus.drained();
    await bus.close();
    expect(versions.map((v) => v.changes)).toEqual([['opened', 'grew', 'phase'], ['grew', 'escalated'], ['grew'], ['status']]);
    expect(store.all.map((e) => e.source_id)).toEqual([1, 2, 4].map((r) => `incident:${versions[0].id}:${r}`));
    expect(store.all[0]).toMatchObject({ actor: { type: 'system', id: 'incidents' }, ref: { kind: 'incident', id: versions[0].id }, result: 'open' });
    expect(store.all[1].what).toMatch(/escalated/);
    expect(store.all[2].result).toBe('acknowledged');
  });
});
