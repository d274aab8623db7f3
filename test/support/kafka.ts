// Integration suites run against the real Kafka broker started by infra/kafka/start.sh.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';

export const KAFKA_BROKERS = (process.env.CALLSENTRY_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Fails with instructions when no broker answers. */
export async function requireKafka(): Promise<void> {
  const admin = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'callsentry-test-probe', logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 1 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (err) {
    throw new Error(
      `No Kafka broker answers at ${KAFKA_BROKERS.join(',')} (${(err as Error).message}).\n` +
        'Start the project\'s broker with `npm run kafka:start` (or run everything with `npm run test:all`), ' +
        'or point CALLSENTRY_KAFKA_BROKERS at a running cluster.',
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A configuration on the test broker with its own random topic prefix, so suites never share topics.
 * CALLSENTRY_KAFKA_CLIENT=platformatic runs the suites on the other client library.
 */
export function kafkaConfig(partitions = 4): CallsentryConfig {
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.bus.kind = 'kafka';
  cfg.bus.partitions = partitions;
  cfg.bus.topic_prefix = `it-${randomBytes(4).toString('hex')}.`;
  cfg.bus.kafka.brokers = KAFKA_BROKERS;
  if (process.env.CALLSENTRY_KAFKA_CLIENT === 'platformatic') cfg.bus.kafka.client = 'platformatic';
  cfg.log.level = 'error';
  return cfg;
}

/** Deletes every topic under a prefix (tests clean up after themselves). */
export async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'callsentry-test-cleanup', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

/** Polls until `done()` or the limit, then returns whether it got there (a hang fails the test, not the suite). */
export async function waitFor(done: () => boolean, limitMs: number, everyMs = 200): Promise<boolean> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}
