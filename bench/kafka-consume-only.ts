// Child process of the Kafka benchmark: reads a full topic through the bus adapter as the detect
// stage does (consumer group, per-partition batches, a commit after each batch), but neither decodes
// nor detects. Its rate is the ceiling the client library puts on a detect member.
//   node dist/bench/kafka-consume-only.js CLIENT BROKERS TOPIC GROUP RECORDS
// prints one JSON line: records, seconds (first batch to last record), startup_seconds, peak_rss_mb.
import { createBus } from '../services/adapters/factory';
import { DEFAULT_CONFIG } from '../services/core/config';
import { silentLogger } from '../services/core/ports';
import { peakRssMb } from './report';

async function main(): Promise<void> {
  const [, brokers, topic, groupId, wanted] = process.argv.slice(2);
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.bus.kind = 'kafka';
  cfg.bus.kafka.brokers = brokers.split(',');
  const records = Number(wanted);
  const bus = createBus(cfg, silentLogger);

  const t0 = performance.now();
  let first: number | undefined;
  let seen = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const sub = await bus.subscribe({
    groupId,
    topics: [topic],
    handler: async (batch) => {
      first ??= performance.now();
      seen += batch.messages.length;
      if (seen >= records) finished();
    },
  });
  await done;
  const last = performance.now();
  await sub.stop();
  await bus.close();
  process.stdout.write(
    JSON.stringify({ records: seen, seconds: (last - first!) / 1000, startup_seconds: (first! - t0) / 1000, peak_rss_mb: Math.round(peakRssMb()) }) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
