// The bus on Apache Kafka through @platformatic/kafka (bus.kafka.client: platformatic), with the
// guarantees of kafka-bus.ts: idempotent producer with acks from all in-sync replicas, consumer
// groups, batches of one partition at a time in offset order, and a partition's offsets committed
// only after its batch was processed and the outputs acknowledged. The library heartbeats on its
// own timer, so a long batch keeps its partitions; a batch during which the group rebalanced is
// not committed (its records come again from the committed offset). A failed batch or commit
// restarts consumption from the committed offsets, as kafkajs does.
// Two differences from kafka-bus.ts: a batch carries no high watermark (the library does not hand
// it over, so the stages report no consumer lag), and a message's timestamp is the one its producer
// set (kafkajs reports the broker's append time on LogAppendTime topics); no stage reads either.
import { readFileSync } from 'node:fs';
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  ProduceAcks,
  Producer,
  type BaseOptions,
  type ConsumeOptions,
  type GroupAssignment,
  type Message,
  type MessagesStream,
  type SASLMechanismValue,
} from '@platformatic/kafka';
import type { KafkaSettings } from '../../core/config';
import { CallsentryError } from '../../core/errors';
import type { Bus, BusMessage, BusProducer, Logger, OutgoingMessage, SubscribeOptions, Subscription, TopicSpec } from '../../core/ports';

export interface PlatformaticBusOptions {
  settings: KafkaSettings;
  log: Logger;
  defaultPartitions: number;
  replicationFactor: number;
  /** environment to read the SASL password from (process.env by default) */
  env?: NodeJS.ProcessEnv;
}

type Record_ = Message<Buffer, Buffer, Buffer, Buffer>;

/** records held between the fetches and the handler before the stream is paused */
const MAX_PENDING = 20_000;
const RESTART_DELAY_MS = 1_000;
const PRODUCE_RETRIES = 10;

export class PlatformaticKafkaBus implements Bus {
  private readonly base: BaseOptions;
  private admin?: Admin;
  private sharedProducer?: Producer;
  private readonly subscriptions = new Set<Subscription>();
  private readonly log: Logger;

  constructor(private readonly opts: PlatformaticBusOptions) {
    this.log = opts.log.child({ adapter: 'kafka', client: 'platformatic' });
    this.base = baseOptions(opts.settings, opts.env ?? process.env);
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    this.admin ??= new Admin(this.base);
    try {
      const existing = new Set(await this.admin.listTopics());
      // one request per shape: the protocol gives every topic of a request the same partitions
      const shapes = new Map<string, TopicSpec[]>();
      for (const s of specs.filter((s) => !existing.has(s.name))) {
        const shape = `${s.partitions ?? this.opts.defaultPartitions}/${s.cleanup ?? ''}`;
        shapes.set(shape, [...(shapes.get(shape) ?? []), s]);
      }
      for (const group of shapes.values()) {
        const { partitions, cleanup } = group[0];
        await this.admin
          .createTopics({
            topics: group.map((s) => s.name),
            partitions: partitions ?? this.opts.defaultPartitions,
            replicas: this.opts.replicationFactor,
            configs: [
              ...(cleanup ? [{ name: 'cleanup.policy', value: cleanup }] : []),
              // retention counts from arrival, not from the record's event time (see kafka-bus.ts)
              { name: 'message.timestamp.type', value: 'LogAppendTime' },
            ],
          })
          .catch((err: unknown) => {
            // another process may have created them in between
            if (!/already exists/i.test(describe(err))) throw err;
          });
      }
    } catch (err) {
      throw wrap(err, 'create topics');
    }
  }

  async producer(): Promise<BusProducer> {
    const p = (this.sharedProducer ??= new Producer({
      ...this.base,
      idempotent: true,
      acks: ProduceAcks.ALL,
      // an idempotent producer retries for ever by default: a broker that stays away must fail the
      // send (BUS_UNAVAILABLE, the batch is re-delivered) after about as long as kafkajs tries
      retries: PRODUCE_RETRIES,
      autocreateTopics: false,
      // the Java client's and kafkajs' partitioner: a key lands on the same partition whichever client wrote it
      partitioner: compatibilityPartitioner,
    }));
    return {
      send: async (topic: string, messages: OutgoingMessage[]) => {
        if (messages.length === 0) return;
        try {
          await p.send({ messages: messages.map((m) => outgoing(topic, m)) });
        } catch (err) {
          throw wrap(err, `produce to ${topic}`);
        }
      },
    };
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const consumer = new Consumer({ ...this.base, groupId: opts.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 1_048_576 });
    const log = this.log.child({ group: opts.groupId });
    const options: ConsumeOptions<Buffer, Buffer, Buffer, Buffer> = {
      topics: opts.topics,
      mode: 'committed',
      fallbackMode: opts.startAt === 'latest' ? 'latest' : 'earliest',
      autocommit: false,
    };

    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
    let pending: Record_[] = [];
    let draining: Promise<void> | undefined;
    let running = true;
    let restarting = false;

    // every join (rebalance) starts a new epoch: records fetched before it are not processed or
    // committed, the stream fetches again from the committed offsets of the new assignment
    let epoch = 0;
    let assigned = new Map<string, Set<number>>();
    consumer.on('consumer:group:join', (e: { assignments?: GroupAssignment[] }) => {
      epoch++;
      pending = [];
      const next = new Map((e.assignments ?? []).map((a) => [a.topic, new Set(a.partitions)]));
      for (const [topic, parts] of assigned) {
        const lost = [...parts].filter((p) => !next.get(topic)?.has(p));
        if (lost.length) opts.onRevoked?.(topic, lost);
      }
      assigned = next;
    });

    // a rejoin that failed for good (the broker away longer than the library retries) is emitted
    // as an 'error' event, which would end the process unheard: start again instead
    consumer.on('error', (err: Error) => void restart(err));

    const start = async () => {
      const s = await consumer.consume(options);
      stream = s;
      s.on('data', (m: Record_) => {
        pending.push(m);
        if (pending.length >= MAX_PENDING) s.pause();
        draining ??= new Promise<void>((r) => setImmediate(r)).then(drain).finally(() => (draining = undefined));
      });
      s.on('error', (err: Error) => void restart(err));
    };

    const drain = async () => {
      while (running && !restarting && pending.length) {
        const taken = pending;
        const at = epoch;
        pending = [];
        if (stream?.isPaused()) stream.resume();
        for (const batch of byPartition(taken)) {
          if (!running || restarting || epoch !== at) break;
          const { topic, partition } = batch[0];
          // fetched for a partition this member no longer owns
          if (!assigned.get(topic)?.has(partition)) continue;
          try {
            const result = await opts.handler({ topic, partition, messages: batch.map(busMessage) });
            // the group rebalanced meanwhile: this member may no longer own the batch
            if (epoch !== at) break;
            const commit = result?.commitOffset ?? String(batch[batch.length - 1].offset + 1n);
            await consumer.commit({ offsets: [{ topic, partition, offset: BigInt(commit), leaderEpoch: -1 }] });
          } catch (err) {
            void restart(err);
            return;
          }
        }
      }
    };

    // what kafkajs does after a failed batch: start again from the committed offsets
    const restart = async (err: unknown) => {
      if (restarting || !running) return;
      restarting = true;
      log.error({ err: describe(err) }, 'consumption failed; restarting from the committed offsets');
      pending = [];
      await stream?.close().catch(() => undefined);
      await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
      while (running) {
        try {
          pending = [];
          await start();
          break;
        } catch (e) {
          log.warn({ err: describe(e) }, 'cannot restart consumption yet');
          await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
        }
      }
      restarting = false;
    };

    try {
      await start();
    } catch (err) {
      await closeConsumer(consumer);
      throw wrap(err, 'connect consumer');
    }

    const sub: Subscription = {
      stop: async () => {
        if (!running) return;
        running = false;
        this.subscriptions.delete(sub);
        await draining;
        await stream?.close().catch(() => undefined);
        await closeConsumer(consumer);
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop().catch(() => undefined)));
    await this.sharedProducer?.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
  }
}

/** Leaves the group at once (force: a stream still open is closed with it); never throws. */
function closeConsumer(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
  return new Promise((resolve) => consumer.close(true, () => resolve()));
}

/** Runs of one partition each, in the order their first record arrived; offsets stay in order. */
function byPartition(records: Record_[]): Record_[][] {
  const runs = new Map<string, Record_[]>();
  for (const r of records) {
    const id = `${r.topic}\u0000${r.partition}`;
    let run = runs.get(id);
    if (!run) runs.set(id, (run = []));
    run.push(r);
  }
  return [...runs.values()];
}

function busMessage(m: Record_): BusMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) if (v !== undefined) headers[k.toString('utf8')] = v.toString('utf8');
  return {
    topic: m.topic,
    partition: m.partition,
    offset: String(m.offset),
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(m.timestamp),
  };
}

function outgoing(topic: string, m: OutgoingMessage) {
  return {
    topic,
    ...(m.key !== null ? { key: Buffer.from(m.key) } : {}),
    value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value),
    ...(m.headers ? { headers: new Map(Object.entries(m.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) } : {}),
    ...(m.timestamp !== undefined ? { timestamp: BigInt(m.timestamp) } : {}),
  };
}

function describe(err: unknown): string {
  const e = err as { message?: string; errors?: unknown[] };
  const inner = Array.isArray(e?.errors) ? e.errors.map(describe).join('; ') : '';
  return `${e?.message ?? String(err)}${inner ? ` (${inner})` : ''}`;
}

function wrap(err: unknown, what: string): CallsentryError {
  return new CallsentryError('BUS_UNAVAILABLE', `kafka: ${what}: ${describe(err)}`, { retriable: true, cause: err });
}

const SASL: Record<NonNullable<KafkaSettings['sasl']>['mechanism'], SASLMechanismValue> = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' };

function baseOptions(s: KafkaSettings, env: NodeJS.ProcessEnv): BaseOptions {
  const base: BaseOptions = { clientId: s.client_id, bootstrapBrokers: s.brokers, connectTimeout: s.connection_timeout_ms };
  if (s.ssl === true) base.tls = {};
  else if (s.ssl && typeof s.ssl === 'object') {
    base.tls = {
      ...(s.ssl.ca_file ? { ca: [readFileSync(s.ssl.ca_file, 'utf8')] } : {}),
      ...(s.ssl.cert_file ? { cert: readFileSync(s.ssl.cert_file, 'utf8') } : {}),
      ...(s.ssl.key_file ? { key: readFileSync(s.ssl.key_file, 'utf8') } : {}),
      rejectUnauthorized: s.ssl.reject_unauthorized ?? true,
    };
  }
  if (s.sasl) {
    const password = env[s.sasl.password_env];
    if (!password) throw new CallsentryError('BAD_CONFIG', `bus.kafka.sasl: environment variable ${s.sasl.password_env} is not set`);
    base.sasl = { mechanism: SASL[s.sasl.mechanism], username: s.sasl.username, password };
  }
  return base;
}
