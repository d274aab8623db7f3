// Records per second end to end through the real broker: the collector edge produces 100,000 SIP
// flows while a detect member consumes them; the clock stops when the last record is processed.
// Kafka's own ConsumerPerformance tool then reads the same topic on the same broker, and our rate is
// printed as a ratio of it. Needs the broker (bench/run.sh starts it).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Ingest } from '../services/collector/ingest';
import { runStage } from '../services/core/stage';
import { detectStage } from '../services/detectors/detect-stage';
import { activeDetectors } from '../services/detectors/registry';
import { createRuntime, ensureTopics } from '../services/runtime/runtime';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../test/support/kafka';
import { hundredK } from '../test/support/scenarios';
import { peakRssMb, report } from './report';

async function main(): Promise<void> {
  await requireKafka();
  const records = hundredK();
  const cfg = kafkaConfig(4);
  const prefix = cfg.bus.topic_prefix;
  const rt = createRuntime(cfg);
  await ensureTopics(rt);

  let processed = 0;
  const stage = detectStage({ topics: rt.topics, detectors: activeDetectors(), metrics: rt.metrics });
  const process_ = stage.process.bind(stage);
  stage.process = (batch, ctx) => {
    processed += batch.messages.length;
    return process_(batch, ctx);
  };
  const consumerRt = createRuntime(cfg);
  const sub = await runStage(consumerRt.bus, stage, consumerRt);
  // wait until the member has joined before starting the clock
  await new Promise((r) => setTimeout(r, 3000));

  const t0 = process.hrtime.bigint();
  const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'bench', batchSize: 1000 });
  for (const r of records) await ingest.record(r);
  await ingest.flush();
  const produced = Number(process.hrtime.bigint() - t0) / 1e9;
  await waitFor(() => processed >= records.length, 600_000, 20);
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  await sub.stop();
  await consumerRt.bus.close();
  await rt.bus.close();

  // the same topic again, already full, through a fresh detect member: consume and detect only
  let reprocessed = 0;
  const again = detectStage({ topics: rt.topics, groupId: `${prefix}bench-again`, detectors: activeDetectors(), metrics: rt.metrics });
  const againProcess = again.process.bind(again);
  again.process = (batch, ctx) => {
    reprocessed += batch.messages.length;
    return againProcess(batch, ctx);
  };
  const againRt = createRuntime(cfg);
  const t1 = process.hrtime.bigint();
  const againSub = await runStage(againRt.bus, again, againRt);
  await waitFor(() => reprocessed >= records.length, 600_000, 20);
  const consumeSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  await againSub.stop();
  await againRt.bus.close();

  const ours = records.length / total;
  const perfScript = path.resolve(__dirname, '../../infra/kafka/consumer-perf.sh');
  const out = execFileSync('bash', [perfScript, `${prefix}flows.sip.v1`, String(records.length), KAFKA_BROKERS[0]], { encoding: 'utf8' });
  const kafkaRate = Number(/^records_per_sec=([\d.]+)/m.exec(out)?.[1] ?? NaN);
  await deleteTopics(prefix);

  report('kafka end to end', {
    records: records.length,
    produce_seconds: produced,
    end_to_end_seconds: total,
    records_per_s: Math.round(ours),
    kafka_consumer_perf_records_per_s: Math.round(kafkaRate),
    ratio_to_kafka_consumer: ours / kafkaRate,
    consume_and_detect_records_per_s: Math.round(records.length / consumeSeconds),
    consume_ratio_to_kafka_consumer: records.length / consumeSeconds / kafkaRate,
    peak_rss_mb: Math.round(peakRssMb()),
  });
}

main().catch((err) => {
  console.error(String(err?.message ?? err));
  process.exit(1);
});
