// Documents per second into the real Elasticsearch: (1) the index stage reading 100,000 SIP flows
// from an already full Kafka topic, the clock running until Elasticsearch acknowledged the last
// one; (2) the bulk writer alone, the same documents straight from memory, no Kafka. Needs both
// (bench/run.sh starts them). Every document is verified by a count afterwards.
import { createClient } from '../services/adapters/elasticsearch/es-client';
import { ElasticsearchIndex } from '../services/adapters/elasticsearch/elasticsearch-index';
import { PromMetricsRegistry } from '../services/adapters/metrics-prom/prom-registry';
import { silentLogger, type IndexDocument } from '../services/core/ports';
import { systemClock } from '../services/core/clock';
import { startIndexer } from '../services/indexer/main';
import { createRuntime, ensureTopics } from '../services/runtime/runtime';
import { countDocs, deleteIndices, esClient, indexerSettings, requireElasticsearch } from '../test/support/elasticsearch';
import { indexedRecords, produceRecords } from '../test/support/indexed-records';
import { deleteTopics, kafkaConfig, requireKafka, waitFor } from '../test/support/kafka';
import { peakRssMb, report } from './report';

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function main(): Promise<void> {
  await requireKafka();
  await requireElasticsearch();
  const { flows } = indexedRecords();
  const es = esClient();

  // (1) Kafka -> index stage -> Elasticsearch
  const cfg = kafkaConfig(4);
  cfg.log.level = 'error';
  cfg.indexer = indexerSettings();
  const admin = createRuntime(cfg);
  await ensureTopics(admin);
  await admin.bus.close();
  await produceRecords(cfg, { flows });
  const rt = createRuntime(cfg);
  const indexed = () => rt.metrics.counter('callsentry_index_documents_total', '').total();
  const t0 = process.hrtime.bigint();
  const sub = await startIndexer(rt);
  await waitFor(async () => (await indexed()) >= flows.length, 900_000, 20);
  const stageSeconds = seconds(t0);
  await sub.stop();
  await rt.bus.close();
  const { count: bulkCount, sum: bulkSum } = await rt.metrics.histogram('callsentry_index_bulk_seconds', '').summary();
  const stageStored = await countDocs(es, cfg.indexer.index_prefix, 'flows-sip');

  // (2) the bulk writer alone
  const settings = indexerSettings();
  const index = new ElasticsearchIndex({ settings, client: createClient(settings.elasticsearch), clock: systemClock, metrics: new PromMetricsRegistry(), log: silentLogger });
  await index.init();
  const docs: IndexDocument[] = flows.map((f) => ({ kind: 'flows-sip', id: f.event.id, timestamp: Date.parse(f['@timestamp']), source: JSON.stringify(f) }));
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < docs.length; i += 5000) await index.write(docs.slice(i, i + 5000));
  const writerSeconds = seconds(t1);
  await index.close();
  const writerStored = await countDocs(es, settings.index_prefix, 'flows-sip');

  await deleteIndices(cfg.indexer.index_prefix);
  await deleteIndices(settings.index_prefix);
  await deleteTopics(cfg.bus.topic_prefix);
  await es.close();

  report('elasticsearch index', {
    documents: flows.length,
    stage_seconds: stageSeconds,
    stage_docs_per_s: Math.round(flows.length / stageSeconds),
    stage_bulk_requests: bulkCount,
    stage_mean_bulk_ms: Math.round((bulkSum / bulkCount) * 1000),
    stage_stored: stageStored,
    writer_seconds: writerSeconds,
    writer_docs_per_s: Math.round(flows.length / writerSeconds),
    writer_stored: writerStored,
    bulk_max_docs: settings.bulk.max_docs,
    peak_rss_mb: Math.round(peakRssMb()),
  });
}

main().catch((err) => {
  console.error(String(err?.message ?? err));
  process.exit(1);
});
