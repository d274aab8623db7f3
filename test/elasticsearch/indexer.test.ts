// The index stage on real Kafka and Elasticsearch: 100,000 SIP flows plus media flows, findings,
// decisions and audit entries produced through Kafka and indexed; the document counts must
// reconcile exactly with what was produced, after a replay, and after Elasticsearch was stopped for
// 30 seconds mid-stream. Needs both: `npm run kafka:start` and `npm run es:start`.
// The outage test stops and starts the node with infra/elasticsearch/{stop,start}.sh.
import { Kafka, logLevel } from 'kafkajs';
import type { Client } from '@elastic/elasticsearch';
import type { CallsentryConfig, IndexerSettings } from '../../services/core/config';
import { ManualClock } from '../../services/core/clock';
import { PromMetricsRegistry } from '../../services/adapters/metrics-prom/prom-registry';
import { silentLogger, type IndexKind, type Subscription } from '../../services/core/ports';
import { HEADER, TOPIC } from '../../services/core/topics';
import { createClient } from '../../services/adapters/elasticsearch/es-client';
import { ElasticsearchIndex } from '../../services/adapters/elasticsearch/elasticsearch-index';
import { startIndexer } from '../../services/indexer/main';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';
import { countDocs, deleteIndices, esAnswers, esClient, esScript, indexerSettings, requireElasticsearch } from '../support/elasticsearch';
import { indexedRecords, produceRecords, type IndexedRecords } from '../support/indexed-records';

const data = indexedRecords();
const expected = (r: IndexedRecords): Record<IndexKind, number> => ({
  'flows-sip': r.flows.length,
  'flows-media': r.media.length,
  findings: r.findings.length,
  decisions: r.decisions.length,
  audit: r.audit.length,
  // generated flow records come without their SIP messages: no evidence
  'evidence-sip': 0,
  // incidents: test/elasticsearch/incidents.test.ts
  incidents: 0,
});
const KINDS = Object.keys(expected(data)) as IndexKind[];

async function counts(es: Client, prefix: string): Promise<Record<IndexKind, number>> {
  const out = {} as Record<IndexKind, number>;
  for (const k of KINDS) out[k] = await countDocs(es, prefix, k);
  return out;
}

/** Documents acknowledged by Elasticsearch so far (new or already there), by the indexer's metrics. */
const settled = async (rt: Runtime) => {
  const c = rt.metrics.counter('callsentry_index_documents_total', '');
  let sum = 0;
  for (const kind of KINDS) sum += (await c.get({ kind, result: 'indexed' })) + (await c.get({ kind, result: 'duplicate' }));
  return sum;
};
const total = (e: Record<IndexKind, number>) => Object.values(e).reduce((a, b) => a + b, 0);

describe('indexer on Kafka and Elasticsearch', () => {
  const prefixes: string[] = [];
  const indexPrefixes: string[] = [];
  let es: Client;
  let cleanup: Array<() => Promise<unknown>> = [];

  /** Fresh topics and a fresh index prefix for one test. */
  async function fresh(): Promise<{ cfg: CallsentryConfig; settings: IndexerSettings }> {
    const cfg = kafkaConfig(4);
    prefixes.push(cfg.bus.topic_prefix);
    const admin = createRuntime(cfg);
    await ensureTopics(admin);
    await admin.bus.close();
    const settings = indexerSettings();
    indexPrefixes.push(settings.index_prefix);
    cfg.indexer = settings;
    return { cfg, settings };
  }

  async function indexer(cfg: CallsentryConfig, groupId?: string): Promise<Runtime> {
    const rt = createRuntime(cfg);
    const sub: Subscription = await startIndexer(rt, groupId ? { groupId } : {});
    cleanup.push(async () => {
      await sub.stop().catch(() => undefined);
      await rt.bus.close().catch(() => undefined);
    });
    return rt;
  }

  /** Waits (a hang guard, not a timing assertion) until Elasticsearch holds `want` documents per kind. */
  async function reconciled(prefix: string, want: Record<IndexKind, number>, limitMs = 400_000): Promise<Record<IndexKind, number>> {
    let got = await counts(es, prefix);
    const until = Date.now() + limitMs;
    while (KINDS.some((k) => got[k] < want[k]) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 2000));
      got = await counts(es, prefix);
    }
    return got;
  }

  beforeAll(async () => {
    await requireKafka();
    await requireElasticsearch();
    es = esClient();
  });
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  afterAll(async () => {
    // a failed outage test must not leave the node it stopped down for the suites after this one
    if (stoppedByUs) await esScript('start');
    for (const p of indexPrefixes) await deleteIndices(p);
    for (const p of prefixes) await deleteTopics(p);
    await es?.close();
  });

  let first: { cfg: CallsentryConfig; settings: IndexerSettings } | undefined;
  let stoppedByUs = false;

  it('indexes 100,000 flows plus media flows, findings, decisions and audit entries; counts reconcile exactly', async () => {
    first = await fresh();
    const rt = await indexer(first.cfg);
    await produceRecords(first.cfg, data);

    const got = await reconciled(first.settings.index_prefix, expected(data));
    expect(got).toEqual(expected(data));
    expect(await rt.metrics.counter('callsentry_dlq_total', '').total()).toBe(0);

    // the mapping is the explicit one: addresses are of type ip, so an address query is exact
    const attacker = '203.0.113.1';
    const fromAttacker = data.flows.filter((f) => f.source.ip === attacker).length;
    expect(fromAttacker).toBeGreaterThan(0);
    const byIp = await es.count({ index: `${first.settings.index_prefix}callsentry-flows-sip-*`, query: { term: { 'source.ip': attacker } } });
    expect(byIp.count).toBe(fromAttacker);
    const inCidr = await es.count({ index: `${first.settings.index_prefix}callsentry-flows-sip-*`, query: { term: { 'source.ip': '203.0.113.0/24' } } });
    expect(inCidr.count).toBe(data.flows.filter((f) => f.source.ip.startsWith('203.0.113.')).length);
    const decision = data.decisions[0];
    const stored = await es.get<{ id: string }>({ index: `${first.settings.index_prefix}callsentry-decisions-${decision['@timestamp'].slice(0, 10).replace(/-/g, '.')}`, id: decision.id });
    expect(stored._source).toEqual(decision);
  }, 600_000);

  it('adds no document on a replay: the topics read again by a new consumer group, and the records produced again', async () => {
    expect(first).toBeDefined();
    const { cfg, settings } = first!;
    const want = expected(data);

    // every record read again from the start of every topic
    const rt = await indexer(cfg, `${cfg.bus.topic_prefix}callsentry-index-replay`);
    expect(await waitFor(async () => (await settled(rt)) >= total(want), 400_000, 500)).toBe(true);
    const dup = rt.metrics.counter('callsentry_index_documents_total', '');
    expect(await Promise.all(KINDS.map((kind) => dup.get({ kind, result: 'duplicate' })))).toEqual(KINDS.map((k) => want[k]));
    expect(await Promise.all(KINDS.map((kind) => dup.get({ kind, result: 'indexed' })))).toEqual(KINDS.map(() => 0));

    // and a second copy of part of the records on the topics
    const again: IndexedRecords = { flows: data.flows.slice(0, 10_000), media: data.media, findings: data.findings, decisions: data.decisions, audit: data.audit };
    await produceRecords(cfg, again);
    expect(await waitFor(async () => (await settled(rt)) >= total(want) + total(expected(again)), 400_000, 500)).toBe(true);
    expect(await counts(es, settings.index_prefix)).toEqual(want);
  }, 900_000);

  it.each([
    ['the batch waits, retrying, until the node is back', 120],
    ['the batch fails after 5 s of retries and Kafka re-delivers it, again and again', 5],
  ])('loses nothing and duplicates nothing when Elasticsearch is stopped for 30 seconds mid-stream: %s', async (_how, retryForSeconds) => {
    const { cfg, settings } = await fresh();
    settings.bulk.retry_for_seconds = retryForSeconds;
    const rt = await indexer(cfg);
    const half = data.flows.length / 2;
    await produceRecords(cfg, { flows: data.flows.slice(0, half) });
    // stop the node while the indexer is busy with the first half
    expect(await waitFor(async () => (await settled(rt)) >= 10_000, 300_000, 100)).toBe(true);
    stoppedByUs = true;
    await esScript('stop');
    // a node this checkout did not start cannot be stopped here: that would be no outage at all
    expect(await esAnswers()).toBe(false);
    const stoppedAt = await settled(rt);
    // the rest arrives while the node is down
    await produceRecords(cfg, { ...data, flows: data.flows.slice(half) });
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await settled(rt)).toBe(stoppedAt);
    await esScript('start');
    stoppedByUs = false;

    const got = await reconciled(settings.index_prefix, expected(data));
    expect(got).toEqual(expected(data));
    // the outage was seen and ridden out by retries, not by luck
    expect(await rt.metrics.counter('callsentry_index_bulk_retries_total', '').total()).toBeGreaterThan(0);
    // a 30 s outage outlasts a 5 s retry window: those batches went back to Kafka and came again
    if (retryForSeconds < 30) expect(await rt.metrics.counter('callsentry_stage_failures_total', '').total()).toBeGreaterThan(0);
    expect(await rt.metrics.counter('callsentry_dlq_total', '').total()).toBe(0);
  }, 900_000);

  it('dead-letters documents Elasticsearch refuses, with its reason, and indexes every other one', async () => {
    const { cfg, settings } = await fresh();
    const topic = `${cfg.bus.topic_prefix}${TOPIC.sipFlows}`;
    const good = data.flows.slice(0, 20);
    const badIp = { ...data.flows[20], event: { ...data.flows[20].event, id: 'bad-ip' }, source: { ip: '999.1.2.3', port: 5060 } };
    const unknownField = { ...data.flows[21], event: { ...data.flows[21].event, id: 'unknown-field' }, surprise: true };
    // straight onto the topic: the collector would have refused these
    const producer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-es-bad', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: [...good.slice(0, 10), badIp, unknownField, ...good.slice(10)].map((r) => ({ key: 'k', value: JSON.stringify(r) })) });
    await producer.send({ topic, messages: [{ key: 'k', value: '{oops' }] });
    await producer.disconnect();

    await indexer(cfg);
    const dead: Array<{ reason: string; detail: string; id: string }> = [];
    const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-es-dlq', logLevel: logLevel.NOTHING }).consumer({ groupId: `${cfg.bus.topic_prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        dead.push({ reason: String(message.headers?.[HEADER.dlqReason]), detail: String(message.headers?.[HEADER.dlqDetail]), id: v.startsWith('{"') ? JSON.parse(v).event.id : v });
      },
    });
    const done = await waitFor(() => dead.length >= 3, 120_000);
    await consumer.disconnect();
    expect(done).toBe(true);
    expect(dead.map((d) => `${d.reason} ${d.id}`).sort()).toEqual(['BAD_JSON {oops', 'INDEX_REJECTED bad-ip', 'INDEX_REJECTED unknown-field']);
    expect(dead.find((d) => d.id === 'bad-ip')?.detail).toMatch(/source\.ip/);
    expect(dead.find((d) => d.id === 'unknown-field')?.detail).toMatch(/strict_dynamic_mapping_exception/);
    expect(await countDocs(es, settings.index_prefix, 'flows-sip')).toBe(good.length);
  }, 300_000);

  it('retention deletes the daily indices past retention_days, and only those', async () => {
    const settings = { ...indexerSettings(), retention_days: 1 };
    indexPrefixes.push(settings.index_prefix);
    const now = Date.now();
    const index = new ElasticsearchIndex({ settings, client: createClient(settings.elasticsearch), clock: new ManualClock(now), metrics: new PromMetricsRegistry(), log: silentLogger });
    try {
      await index.init();
      const old = { ...data.decisions[0], id: 'old', '@timestamp': new Date(now - 40 * 86_400_000).toISOString() };
      const future = { ...old, id: 'future', '@timestamp': new Date(now + 10 * 86_400_000).toISOString() };
      const report = await index.write([old, future].map((d) => ({ kind: 'decisions' as const, id: d.id, timestamp: Date.parse(d['@timestamp']), source: JSON.stringify(d) })));
      expect(report).toEqual({ indexed: 2, duplicates: 0, rejected: [] });
      const names = async () => Object.keys(await es.indices.get({ index: `${settings.index_prefix}callsentry-*` })).sort();
      const both = await names();
      expect(both).toHaveLength(2);
      // just created: kept, however old their day
      expect(await index.expire(now)).toEqual([]);
      // two days on, the old day (40 days ago) is past retention; the future day is not
      expect(await index.expire(now + 2 * 86_400_000)).toEqual([both[0]]);
      expect(await names()).toEqual([both[1]]);
    } finally {
      await index.close();
    }
  });
});
