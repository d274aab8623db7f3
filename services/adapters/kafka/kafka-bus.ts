// The bus on Apache Kafka (kafkajs): idempotent producer with acks from all in-sync replicas,
// consumer groups, and offsets committed only after a batch has been processed and its outputs
// acknowledged, so delivery is at-least-once and a restart loses nothing.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaConfig, type LogEntry, type Producer, type SASLOptions } from 'kafkajs';
import type { KafkaSettings } from '../../core/config';
import { CallsentryError } from '../../core/errors';
import type { BatchResult, Bus, BusMessage, BusProducer, Logger, OutgoingMessage, StateReader, SubscribeOptions, Subscription, TopicSpec } from '../../core/ports';
import { KafkaStateReader } from './state-reader';

export interface KafkaBusOptions {
  settings: KafkaSettings;
  log: Logger;
  defaultPartitions: number;
  replicationFactor: number;
  /** environment to read the SASL password from (process.env by default) */
  env?: NodeJS.ProcessEnv;
  /** prefix of the consumer groups this process makes for itself (state readers) */
  groupPrefix?: string;
  /** largest state snapshot to fetch */
  maxStateBytes?: number;
}

export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private admin?: Admin;
  private sharedProducer?: Promise<Producer>;
  private readonly consumers = new Set<Consumer>();
  private readonly readers = new Set<StateReader>();
  private readonly log: Logger;

  constructor(private readonly opts: KafkaBusOptions) {
    this.log = opts.log.child({ adapter: 'kafka' });
    this.kafka = new Kafka(kafkaConfig(opts.settings, opts.env ?? process.env, this.log));
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions ?? this.opts.defaultPartitions,
          replicationFactor: this.opts.replicationFactor,
          configEntries: [
            ...(s.cleanup ? [{ name: 'cleanup.policy', value: s.cleanup }] : []),
            ...(s.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(s.maxMessageBytes) }] : []),
            // retention counts from arrival, not from the record's event time: a replay of last
            // month's capture must not be deleted by the broker before the stages read it
            { name: 'message.timestamp.type', value: 'LogAppendTime' },
          ],
        })),
      });
    } catch (err) {
      // another process may have created them in between
      if (!/already exists/i.test(String((err as Error).message))) throw wrap(err, 'create topics');
    }
  }

  async producer(): Promise<BusProducer> {
    this.sharedProducer ??= (async () => {
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await p.connect().catch((err) => {
        this.sharedProducer = undefined;
        throw wrap(err, 'connect producer');
      });
      return p;
    })();
    const p = await this.sharedProducer;
    return {
      send: async (topic: string, messages: OutgoingMessage[]) => {
        if (messages.length === 0) return;
        try {
          await p.send({
            topic,
            acks: -1,
            messages: messages.map((m) => ({
              key: m.key,
              value: m.value,
              headers: m.headers,
              ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
            })),
          });
        } catch (err) {
          throw wrap(err, `produce to ${topic}`);
        }
      },
    };
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 1_048_576,
    });
    this.consumers.add(consumer);
    await consumer.connect().catch((err) => {
      throw wrap(err, 'connect consumer');
    });
    for (const topic of opts.topics) await consumer.subscribe({ topic, fromBeginning: opts.startAt !== 'latest' });

    // a member that loses partitions drops their state; kafkajs reports the new assignment on join
    let assigned = new Map<string, Set<number>>();
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const next = new Map<string, Set<number>>(Object.entries(e.payload.memberAssignment).map(([t, ps]) => [t, new Set(ps as number[])]));
      for (const [topic, parts] of assigned) {
        const lost = [...parts].filter((p) => !next.get(topic)?.has(p));
        if (lost.length) opts.onRevoked?.(topic, lost);
      }
      assigned = next;
      // the moment a partition changes hands: the start of a takeover (docs/state.md)
      this.log.info({ groupId: opts.groupId, memberId: e.payload.memberId, assignment: e.payload.memberAssignment, joinMs: e.payload.duration }, 'consumer group joined; partitions assigned');
    });

    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const messages: BusMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString('utf8') : null,
          value: m.value ?? Buffer.alloc(0),
          headers: headersOf(m.headers),
          timestamp: Number(m.timestamp),
        }));
        // a batch that waits on a slow downstream (Elasticsearch retries) must not cost the member
        // its partitions: the group hears from it every few seconds however long the handler takes
        let lost: { err: unknown } | undefined;
        const beat = setInterval(() => void heartbeat().catch((err) => (lost ??= { err })), 3_000);
        let result: BatchResult | void;
        try {
          result = await opts.handler({ topic: batch.topic, partition: batch.partition, messages, highWatermark: batch.highWatermark });
        } finally {
          clearInterval(beat);
        }
        // partitions reassigned meanwhile: a member that no longer owns the batch must not commit it
        if (lost) throw lost.err;
        if (result?.rewindTo !== undefined) {
          // the stage rebuilds its state from further back: fetch from there, commit nothing
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: result.rewindTo });
          return;
        }
        const last = batch.messages[batch.messages.length - 1].offset;
        const commit = result?.commitOffset ?? String(BigInt(last) + 1n);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: commit }]);
        resolveOffset(last);
        await heartbeat();
      },
    });

    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async stateReader(topic: string): Promise<StateReader> {
    const reader = await KafkaStateReader.start({
      kafka: this.kafka,
      admin: () => this.adminClient(),
      topic,
      groupPrefix: this.opts.groupPrefix ?? '',
      maxBytes: this.opts.maxStateBytes ?? 64 * 1024 * 1024,
      log: this.log,
    }).catch((err) => {
      throw wrap(err, `read state topic ${topic}`);
    });
    this.readers.add(reader);
    return {
      latest: (key) => reader.latest(key),
      close: async () => {
        this.readers.delete(reader);
        await reader.close();
      },
    };
  }

  async offsetAt(topic: string, partition: number, timestampMs: number): Promise<string | undefined> {
    const admin = await this.adminClient();
    const found = await admin.fetchTopicOffsetsByTimestamp(topic, Math.max(0, Math.floor(timestampMs)));
    const o = found.find((f) => f.partition === partition)?.offset;
    return o === undefined || BigInt(o) < 0n ? undefined : o;
  }

  /**
   * Reads the message at the partition's high watermark - 1 with a consumer of its own (a group
   * nobody else uses, deleted after): kafkajs has no fetch without a group.
   */
  async lastMessage(topic: string, partition: number): Promise<BusMessage | undefined> {
    const admin = await this.adminClient();
    const offsets = await admin.fetchTopicOffsets(topic).catch((err) => {
      throw wrap(err, `fetch offsets of ${topic}`);
    });
    const p = offsets.find((o) => o.partition === partition);
    if (!p || BigInt(p.high) <= BigInt(p.low)) return undefined;
    const offset = String(BigInt(p.high) - 1n);
    const groupId = `callsentry-last-message-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let resolve!: (m: BusMessage) => void;
      const got = new Promise<BusMessage>((r) => (resolve = r));
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition: at, message: m }) => {
          if (at !== partition || BigInt(m.offset) < BigInt(offset)) return;
          resolve({ topic, partition, offset: m.offset, key: m.key ? m.key.toString('utf8') : null, value: m.value ?? Buffer.alloc(0), headers: headersOf(m.headers), timestamp: Number(m.timestamp) });
        },
      });
      consumer.seek({ topic, partition, offset });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallsentryError('BUS_UNAVAILABLE', `kafka: no message at offset ${offset} of ${topic}/${partition} within 60 s`, { retriable: true })), 60_000);
      });
      try {
        return await Promise.race([got, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      throw err instanceof CallsentryError ? err : wrap(err, `read the last message of ${topic}`);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers].map((r) => r.close().catch(() => undefined)));
    this.readers.clear();
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    if (this.sharedProducer) await (await this.sharedProducer.catch(() => undefined))?.disconnect();
    await this.admin?.disconnect();
  }

  private async adminClient(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect().catch((err) => {
        throw wrap(err, 'connect admin');
      });
      this.admin = admin;
    }
    return this.admin;
  }
}

function headersOf(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

function wrap(err: unknown, what: string): CallsentryError {
  const e = err as { message?: string; retriable?: boolean };
  return new CallsentryError('BUS_UNAVAILABLE', `kafka: ${what}: ${e.message ?? String(err)}`, { retriable: e.retriable ?? true, cause: err });
}

function kafkaConfig(s: KafkaSettings, env: NodeJS.ProcessEnv, log: Logger): KafkaConfig {
  const cfg: KafkaConfig = {
    clientId: s.client_id,
    brokers: s.brokers,
    connectionTimeout: s.connection_timeout_ms,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      // kafkajs logs every error response of a connection (a rebalance in progress, a moved
      // partition) at ERROR although its retry handles them: those are warnings for an operator
      const level = entry.level <= logLevel.ERROR && entry.namespace !== 'Connection' ? 'error' : entry.level <= logLevel.WARN ? 'warn' : 'debug';
      log[level]({ namespace: entry.namespace, ...rest }, String(message));
    },
  };
  if (s.ssl === true) cfg.ssl = true;
  else if (s.ssl && typeof s.ssl === 'object') {
    cfg.ssl = {
      ...(s.ssl.ca_file ? { ca: [readFileSync(s.ssl.ca_file, 'utf8')] } : {}),
      ...(s.ssl.cert_file ? { cert: readFileSync(s.ssl.cert_file, 'utf8') } : {}),
      ...(s.ssl.key_file ? { key: readFileSync(s.ssl.key_file, 'utf8') } : {}),
      rejectUnauthorized: s.ssl.reject_unauthorized ?? true,
    };
  }
  if (s.sasl) {
    const password = env[s.sasl.password_env];
    if (!password) throw new CallsentryError('BAD_CONFIG', `bus.kafka.sasl: environment variable ${s.sasl.password_env} is not set`);
    cfg.sasl = { mechanism: s.sasl.mechanism, username: s.sasl.username, password } as SASLOptions;
  }
  return cfg;
}
