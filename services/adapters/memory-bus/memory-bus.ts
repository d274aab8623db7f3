// In-process bus for the embedded default: the same topics, keys, partitions, consumer groups
// and per-key ordering as Kafka, so every stage runs unchanged on either.
import type { BatchResult, Bus, BusBatch, BusMessage, BusProducer, OutgoingMessage, StateReader, SubscribeOptions, Subscription, TopicSpec } from '../../core/ports';
import { partitionFor } from './partition';

interface PartitionLog {
  /** offset of messages[0] */
  base: number;
  messages: BusMessage[];
}

interface TopicLog {
  name: string;
  partitions: PartitionLog[];
  waiters: Set<() => void>;
  /** compacted topics: the newest message per key, which is all a state reader needs */
  latest?: Map<string, BusMessage>;
}

interface Member {
  id: number;
  opts: SubscribeOptions;
  /** "topic/partition" -> running pump */
  pumps: Map<string, Pump>;
  stopped: boolean;
}

interface Pump {
  topic: string;
  partition: number;
  position: number;
  running: boolean;
  inFlight: boolean;
  done: Promise<void>;
}

interface Group {
  id: string;
  members: Member[];
  committed: Map<string, number>;
}

export interface MemoryBusOptions {
  defaultPartitions?: number;
  maxBatch?: number;
  /** producers wait while a consumed topic holds more undelivered messages than this */
  highWater?: number;
  /** messages kept on a topic nobody consumes (dead letters, audit when no auditor runs) */
  unconsumedRetention?: number;
}

export class MemoryBus implements Bus {
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  private readonly defaultPartitions: number;
  private readonly maxBatch: number;
  private readonly highWater: number;
  private readonly unconsumedRetention: number;
  private nextMemberId = 1;
  private closed = false;
  private readonly idleWaiters = new Set<() => void>();
  private failures: unknown[] = [];

  constructor(opts: MemoryBusOptions = {}) {
    this.defaultPartitions = opts.defaultPartitions ?? 4;
    this.maxBatch = opts.maxBatch ?? 500;
    this.highWater = opts.highWater ?? 10_000;
    this.unconsumedRetention = opts.unconsumedRetention ?? 10_000;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const s of specs) {
      const t = this.topic(s.name, s.partitions);
      if (s.cleanup === 'compact') t.latest ??= new Map();
    }
  }

  async stateReader(topic: string): Promise<StateReader> {
    const t = this.topic(topic);
    t.latest ??= new Map();
    return { latest: async (key) => t.latest!.get(key), close: async () => undefined };
  }

  async offsetAt(topic: string, partition: number, timestampMs: number): Promise<string | undefined> {
    const log = this.topic(topic).partitions[partition];
    if (!log) return undefined;
    const i = log.messages.findIndex((m) => m.timestamp >= timestampMs);
    return i < 0 ? undefined : String(log.base + i);
  }

  async producer(): Promise<BusProducer> {
    return { send: (topic, messages) => this.send(topic, messages) };
  }

  async subscribe(opts: SubscribeOptions): Promise<Subscription> {
    const group = this.group(opts.groupId);
    const member: Member = { id: this.nextMemberId++, opts, pumps: new Map(), stopped: false };
    for (const t of opts.topics) this.topic(t);
    group.members.push(member);
    await this.rebalance(group);
    return {
      stop: async () => {
        if (member.stopped) return;
        member.stopped = true;
        group.members = group.members.filter((m) => m !== member);
        await this.stopPumps(member);
        await this.rebalance(group);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const g of this.groups.values()) for (const m of g.members) m.stopped = true;
    for (const g of this.groups.values()) for (const m of g.members) await this.stopPumps(m);
    this.wakeAll();
  }

  async lastMessage(topic: string, partition: number): Promise<BusMessage | undefined> {
    // trimming never drops the newest message: it was just produced, or is kept by retention
    return this.topics.get(topic)?.partitions[partition]?.messages.at(-1);
  }

  /** Messages held on a partition of a topic (for tests and the console). */
  read(topic: string): BusMessage[] {
    const t = this.topics.get(topic);
    return t ? t.partitions.flatMap((p) => p.messages) : [];
  }

  /** Messages ever written to a topic, including those retention has since dropped (dead letters are counted, not only kept). */
  written(topic: string): number {
    const t = this.topics.get(topic);
    return t ? t.partitions.reduce((n, p) => n + p.base + p.messages.length, 0) : 0;
  }

  /** Handler errors the bus has seen; a stage that throws is retried, never skipped. */
  errors(): unknown[] {
    return this.failures;
  }

  /**
   * Resolves once every consumer group has processed every message and nothing is in flight:
   * the end of a replay.
   */
  async drained(): Promise<void> {
    for (;;) {
      if (this.isIdle()) {
        // settle: a handler that just finished may have produced into another topic
        await new Promise((r) => setImmediate(r));
        if (this.isIdle()) return;
      }
      await new Promise<void>((resolve) => {
        this.idleWaiters.add(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private topic(name: string, partitions?: number): TopicLog {
    let t = this.topics.get(name);
    if (!t) {
      const n = partitions ?? this.defaultPartitions;
      t = { name, partitions: Array.from({ length: n }, () => ({ base: 0, messages: [] })), waiters: new Set() };
      this.topics.set(name, t);
    }
    return t;
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (!g) {
      g = { id, members: [], committed: new Map() };
      this.groups.set(id, g);
    }
    return g;
  }

  private async send(topicName: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('memory bus is closed');
    const t = this.topic(topicName);
    await this.waitForRoom(t);
    const now = Date.now();
    for (const m of messages) {
      const p = partitionFor(m.key, t.partitions.length);
      const log = t.partitions[p];
      const value = typeof m.value === 'string' ? Buffer.from(m.value) : m.value;
      const message: BusMessage = {
        topic: topicName,
        partition: p,
        offset: String(log.base + log.messages.length),
        key: m.key,
        value,
        headers: { ...(m.headers ?? {}) },
        timestamp: m.timestamp ?? now,
      };
      log.messages.push(message);
      if (t.latest && m.key !== null) t.latest.set(m.key, message);
    }
    this.trim(t);
    const waiters = [...t.waiters];
    t.waiters.clear();
    for (const w of waiters) w();
  }

  private async waitForRoom(t: TopicLog): Promise<void> {
    while (!this.closed && this.backlog(t) > this.highWater) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.add(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
  }

  /** Undelivered messages of the slowest group consuming the topic. */
  private backlog(t: TopicLog): number {
    let worst = 0;
    for (const g of this.groups.values()) {
      if (!g.members.some((m) => m.opts.topics.includes(t.name))) continue;
      for (let p = 0; p < t.partitions.length; p++) {
        const log = t.partitions[p];
        const end = log.base + log.messages.length;
        const pos = this.positionOf(g, t.name, p);
        worst = Math.max(worst, end - pos);
      }
    }
    return worst;
  }

  private positionOf(g: Group, topic: string, partition: number): number {
    const k = `${topic}/${partition}`;
    for (const m of g.members) {
      const pump = m.pumps.get(k);
      if (pump) return pump.position;
    }
    return g.committed.get(k) ?? 0;
  }

  /** Drops messages every group has committed, or beyond the retention of unconsumed topics. */
  private trim(t: TopicLog): void {
    const consumers = [...this.groups.values()].filter((g) => g.members.some((m) => m.opts.topics.includes(t.name)) || [...g.committed.keys()].some((k) => k.startsWith(t.name + '/')));
    t.partitions.forEach((log, p) => {
      let keepFrom: number;
      if (consumers.length === 0) {
        // a compacted topic nobody consumes is read through its newest message per key alone
        keepFrom = log.base + log.messages.length - (t.latest ? 0 : this.unconsumedRetention);
      } else {
        keepFrom = Math.min(...consumers.map((g) => g.committed.get(`${t.name}/${p}`) ?? 0));
      }
      const drop = keepFrom - log.base;
      if (drop > 1024 || (consumers.length === 0 && drop > 0)) {
        log.messages.splice(0, drop);
        log.base += drop;
      }
    });
  }

  private async rebalance(group: Group): Promise<void> {
    const members = group.members.filter((m) => !m.stopped);
    const wanted = new Map<Member, Set<string>>(members.map((m) => [m, new Set<string>()]));
    const topicsWanted = new Set(members.flatMap((m) => m.opts.topics));
    for (const name of topicsWanted) {
      const subs = members.filter((m) => m.opts.topics.includes(name));
      const t = this.topic(name);
      for (let p = 0; p < t.partitions.length; p++) wanted.get(subs[p % subs.length])!.add(`${name}/${p}`);
    }
    // revoke first, so a partition is never processed by two members at once
    for (const m of members) {
      const lost = [...m.pumps.keys()].filter((k) => !wanted.get(m)!.has(k));
      if (lost.length === 0) continue;
      for (const k of lost) {
        const pump = m.pumps.get(k)!;
        pump.running = false;
        this.wake(pump.topic);
        await pump.done;
        m.pumps.delete(k);
      }
      const byTopic = new Map<string, number[]>();
      for (const k of lost) {
        const [topic, p] = splitKey(k);
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), p]);
      }
      for (const [topic, parts] of byTopic) m.opts.onRevoked?.(topic, parts);
    }
    for (const m of members) {
      for (const k of wanted.get(m)!) if (!m.pumps.has(k)) m.pumps.set(k, this.startPump(group, m, ...splitKey(k)));
    }
  }

  private startPump(group: Group, member: Member, topic: string, partition: number): Pump {
    const key = `${topic}/${partition}`;
    // a group that never committed here starts at the beginning, or at the end when it asked to
    const fresh = member.opts.startAt === 'latest' ? this.topic(topic).partitions[partition].base + this.topic(topic).partitions[partition].messages.length : 0;
    if (!group.committed.has(key)) group.committed.set(key, fresh);
    const pump: Pump = { topic, partition, position: group.committed.get(key)!, running: true, inFlight: false, done: Promise.resolve() };
    pump.done = (async () => {
      const t = this.topic(topic);
      const log = t.partitions[partition];
      while (pump.running && !this.closed) {
        const end = log.base + log.messages.length;
        if (pump.position < log.base) pump.position = log.base; // trimmed under us: retention
        if (pump.position >= end) {
          this.notifyIdle();
          await new Promise<void>((resolve) => t.waiters.add(resolve));
          continue;
        }
        const from = pump.position - log.base;
        const messages = log.messages.slice(from, from + this.maxBatch);
        const batch: BusBatch = { topic, partition, messages, highWatermark: String(end) };
        pump.inFlight = true;
        let result: BatchResult | void;
        try {
          result = await member.opts.handler(batch);
        } catch (err) {
          // a failing batch is retried from the committed offset, never skipped: at-least-once,
          // as a Kafka consumer resumes after a crash
          this.failures.push(err);
          pump.inFlight = false;
          pump.position = group.committed.get(key) ?? 0;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        pump.inFlight = false;
        if (result?.rewindTo !== undefined) {
          // the stage rebuilds its state from further back: re-deliver from there, commit nothing
          pump.position = Math.max(log.base, Number(result.rewindTo));
          continue;
        }
        const last = Number(messages[messages.length - 1].offset);
        pump.position = last + 1;
        const commit = result?.commitOffset !== undefined ? Number(result.commitOffset) : pump.position;
        group.committed.set(key, Math.max(group.committed.get(key) ?? 0, commit));
        this.notifyIdle();
      }
    })();
    return pump;
  }

  private async stopPumps(member: Member): Promise<void> {
    for (const pump of member.pumps.values()) {
      pump.running = false;
      this.wake(pump.topic);
    }
    await Promise.all([...member.pumps.values()].map((p) => p.done));
    member.pumps.clear();
  }

  private isIdle(): boolean {
    for (const g of this.groups.values()) {
      for (const m of g.members) {
        for (const pump of m.pumps.values()) {
          if (pump.inFlight) return false;
          const log = this.topic(pump.topic).partitions[pump.partition];
          if (pump.position < log.base + log.messages.length) return false;
        }
      }
    }
    return true;
  }

  private wake(topic: string): void {
    const t = this.topics.get(topic);
    if (!t) return;
    const waiters = [...t.waiters];
    t.waiters.clear();
    for (const w of waiters) w();
  }

  private wakeAll(): void {
    for (const name of this.topics.keys()) this.wake(name);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const w of waiters) w();
  }
}

function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf('/');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}
