// The bus adapter on @platformatic/kafka (bus.kafka.client: platformatic) against the real broker:
// what it writes and reads is what the kafkajs adapter writes and reads (same partitions for the
// same keys, headers, keys, values), it commits what the handler returns, re-delivers a failed
// batch and tells a member which partitions it lost. The other Kafka suites run on it with
// CALLSENTRY_KAFKA_CLIENT=platformatic. Needs the broker: `npm run kafka:start`.
import { createBus } from '../../services/adapters/factory';
import type { CallsentryConfig, KafkaSettings } from '../../services/core/config';
import { silentLogger, type Bus, type BusMessage, type OutgoingMessage } from '../../services/core/ports';
import { deleteTopics, kafkaConfig, requireKafka, waitFor } from '../support/kafka';

const cfg = kafkaConfig(4);
const prefix = cfg.bus.topic_prefix;
const buses: Bus[] = [];

function bus(client: KafkaSettings['client']): Bus {
  const c: CallsentryConfig = structuredClone(cfg);
  c.bus.kafka.client = client;
  const b = createBus(c, silentLogger);
  buses.push(b);
  return b;
}

/** Reads a topic from the beginning with a fresh group until `count` messages came. */
async function readAll(b: Bus, topic: string, count: number): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  const sub = await b.subscribe({ groupId: `${prefix}read-${topic}`, topics: [topic], handler: async (batch) => void got.push(...batch.messages) });
  await waitFor(() => got.length >= count, 60_000);
  await sub.stop();
  return got;
}

const messages: OutgoingMessage[] = Array.from({ length: 200 }, (_, i) => ({
  key: `198.51.100.${i}`,
  value: JSON.stringify({ n: i }),
  headers: { 'callsentry-schema': 'test.v1', n: String(i) },
  timestamp: Date.parse('2026-02-10T09:00:00Z') + i,
}));

beforeAll(requireKafka);
afterAll(async () => {
  for (const b of buses) await b.close();
  await deleteTopics(prefix);
});

test('a record written by either client reads the same through the other: same partition for the same key, same key, value and headers', async () => {
  const kafkajs = bus('kafkajs');
  const platformatic = bus('platformatic');
  const [a, b] = [`${prefix}written-by-kafkajs`, `${prefix}written-by-platformatic`];
  // 3 partitions: with a power of two, a partitioner that hashes like the Java client but takes the
  // modulus of the unsigned hash (the library's default) would agree by accident
  await platformatic.ensureTopics([
    { name: a, partitions: 3 },
    { name: b, partitions: 3 },
  ]);
  await (await kafkajs.producer()).send(a, messages);
  await (await platformatic.producer()).send(b, messages);

  const shape = (ms: BusMessage[]) =>
    ms.map((m) => ({ key: m.key, partition: m.partition, value: m.value.toString(), headers: m.headers })).sort((x, y) => x.key!.localeCompare(y.key!));
  const readByPlatformatic = shape(await readAll(platformatic, a, messages.length));
  const readByKafkajs = shape(await readAll(kafkajs, b, messages.length));
  expect(readByPlatformatic).toHaveLength(messages.length);
  expect(readByKafkajs).toEqual(readByPlatformatic);
  expect(new Set(readByKafkajs.map((m) => m.partition)).size).toBe(3);
  expect(readByKafkajs.find((m) => m.key === '198.51.100.7')).toMatchObject({ value: '{"n":7}', headers: { 'callsentry-schema': 'test.v1', n: '7' } });
});

test('commits the offset the handler returns, and a batch that failed comes again', async () => {
  const platformatic = bus('platformatic');
  const topic = `${prefix}commits`;
  await platformatic.ensureTopics([{ name: topic, partitions: 1 }]);
  await (await platformatic.producer()).send(topic, messages.slice(0, 10));

  const seen: string[] = [];
  let failed = false;
  const sub = await platformatic.subscribe({
    groupId: `${prefix}commits`,
    topics: [topic],
    handler: async (batch) => {
      if (!failed) {
        failed = true;
        throw new Error('downstream unavailable');
      }
      seen.push(...batch.messages.map((m) => m.offset));
      // a windowed stage keeps the last five records: the next owner starts at offset 5
      return { commitOffset: '5' };
    },
  });
  await waitFor(() => seen.includes('9'), 60_000);
  await sub.stop();
  expect(seen.slice(0, 10)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

  const again: string[] = [];
  const next = await platformatic.subscribe({ groupId: `${prefix}commits`, topics: [topic], handler: async (batch) => void again.push(...batch.messages.map((m) => m.offset)) });
  await waitFor(() => again.includes('9'), 60_000);
  await next.stop();
  expect(again[0]).toBe('5');
});

test('a member that loses partitions to a new member of its group hears which', async () => {
  const topic = `${prefix}rebalance`;
  const first = bus('platformatic');
  await first.ensureTopics([{ name: topic }]);
  await (await first.producer()).send(topic, messages);
  const revoked: number[] = [];
  const seen = new Set<number>();
  const group = `${prefix}rebalance`;
  const a = await first.subscribe({ groupId: group, topics: [topic], handler: async (batch) => void seen.add(batch.partition), onRevoked: (_t, ps) => revoked.push(...ps) });
  await waitFor(() => seen.size === 4, 60_000);
  const b = await bus('platformatic').subscribe({ groupId: group, topics: [topic], handler: async () => undefined });
  await waitFor(() => revoked.length > 0, 60_000);
  await b.stop();
  await a.stop();
  expect(revoked.length).toBeGreaterThan(0);
  expect(revoked.length).toBeLessThan(4);
});
