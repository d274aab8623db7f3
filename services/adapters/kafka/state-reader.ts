// Reads a compacted state topic on Kafka: one consumer per process tails the whole topic from its
// beginning and keeps the newest message of each key, so a partition's snapshot is already here
// when the partition is assigned. `latest` first waits until the tail has reached the end the
// topic had at the time of the call: a snapshot the previous owner wrote just before it died is
// never missed. The consumer commits nothing (its group is this process's alone).
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { CallsentryError } from '../../core/errors';
import type { BusMessage, Logger, StateReader } from '../../core/ports';

export interface KafkaStateReaderOptions {
  kafka: Kafka;
  admin: () => Promise<Admin>;
  topic: string;
  groupPrefix: string;
  /** largest message to fetch (a snapshot) */
  maxBytes: number;
  /** how long `latest` waits for the tail to catch up */
  catchUpMs?: number;
  log: Logger;
}

export class KafkaStateReader implements StateReader {
  private readonly newest = new Map<string, BusMessage>();
  /** next offset to read, per partition */
  private readonly position = new Map<number, bigint>();
  private readonly waiters = new Set<() => void>();
  private consumer?: Consumer;

  private constructor(private readonly o: KafkaStateReaderOptions) {}

  static async start(o: KafkaStateReaderOptions): Promise<KafkaStateReader> {
    const r = new KafkaStateReader(o);
    await r.run();
    return r;
  }

  async latest(key: string): Promise<BusMessage | undefined> {
    const admin = await this.o.admin();
    const ends = await admin.fetchTopicOffsets(this.o.topic);
    const deadline = Date.now() + (this.o.catchUpMs ?? 30_000);
    const behind = () => ends.some((e) => BigInt(e.high) > BigInt(e.low) && (this.position.get(e.partition) ?? BigInt(e.low)) < BigInt(e.high));
    while (behind()) {
      if (Date.now() > deadline) throw new CallsentryError('BUS_UNAVAILABLE', `state topic ${this.o.topic}: not caught up within ${this.o.catchUpMs ?? 30_000} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
    return this.newest.get(key);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const consumer = this.o.kafka.consumer({
      groupId: `${this.o.groupPrefix}state-reader-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: this.o.maxBytes,
      maxBytes: this.o.maxBytes,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.key) {
            const key = m.key.toString('utf8');
            // copied: a slice would hold the whole fetch response in memory
            const value = Buffer.from(m.value ?? Buffer.alloc(0));
            this.newest.set(key, { topic: batch.topic, partition: batch.partition, offset: m.offset, key, value, headers: {}, timestamp: Number(m.timestamp) });
          }
        }
        const last = batch.messages[batch.messages.length - 1]?.offset ?? String(BigInt(batch.highWatermark) - 1n);
        this.position.set(batch.partition, BigInt(last) + 1n);
        for (const w of [...this.waiters]) w();
        this.waiters.clear();
      },
    });
    this.o.log.debug({ topic: this.o.topic }, 'state reader started');
  }
}
