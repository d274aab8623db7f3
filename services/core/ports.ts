// Interfaces between core and the outside world. Adapters implement them; only a service's
// main.ts (or the embedded runtime) picks the adapter.
import type { Action, Decision, Key } from './records';

// ---- message bus ----------------------------------------------------------------------------

export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
  /** event time in epoch ms; Kafka stores it as the message timestamp */
  timestamp?: number;
}

export interface BusMessage {
  topic: string;
  partition: number;
  /** decimal string, as Kafka offsets are int64 */
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

export interface BusBatch {
  topic: string;
  partition: number;
  messages: BusMessage[];
  /** offset the partition's next message will get: consumer lag = highWatermark - (last offset + 1) */
  highWatermark?: string;
}

export interface BatchResult {
  /**
   * Offset to commit for this partition (next message to read after a restart). Stages that keep
   * windowed state return an earlier offset than the end of the batch so that a new owner of the
   * partition re-reads the records its state still depends on (see docs/state.md). Undefined
   * commits the whole batch.
   */
  commitOffset?: string;
  /**
   * Re-deliver this partition from this (earlier) offset instead of going on, committing nothing:
   * a stage that could not restore its state rebuilds it by re-reading (docs/state.md).
   */
  rewindTo?: string;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Called with batches from one partition at a time, in offset order. */
  handler: (batch: BusBatch) => Promise<BatchResult | void>;
  /** Called when this member loses partitions, so it can drop their state. */
  onRevoked?: (topic: string, partitions: number[]) => void;
  /** where a group with no committed offset starts: earliest (default) or the end (only what comes next) */
  startAt?: 'earliest' | 'latest';
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface BusProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions?: number;
  /** compact for changelog-like topics */
  cleanup?: 'delete' | 'compact';
  /** largest message the topic takes (state snapshots are larger than records) */
  maxMessageBytes?: number;
}

/** Reads a compacted state topic: the newest message of each key. */
export interface StateReader {
  /** The newest message under `key`, once the reader has caught up with the topic's end as of this call. */
  latest(key: string): Promise<BusMessage | undefined>;
  close(): Promise<void>;
}

export interface Bus {
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  producer(): Promise<BusProducer>;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** A reader of a compacted state topic; a bus without one runs stages without snapshots. */
  stateReader?(topic: string): Promise<StateReader>;
  /** The first offset of a partition whose timestamp is at or after `timestampMs`; undefined past the end. */
  offsetAt?(topic: string, partition: number, timestampMs: number): Promise<string | undefined>;
  /** The newest message of a partition (none when it holds none), read without joining a stage's group. */
  lastMessage(topic: string, partition: number): Promise<BusMessage | undefined>;
  close(): Promise<void>;
}

// ---- enforcement points ---------------------------------------------------------------------

export interface ActuatorResult {
  decisionId: string;
  ok: boolean;
  detail: string;
}

export interface LiveEntry {
  target: Key;
  /** what the entry does, when the enforcement point can tell */
  action?: Action;
  expiresAt?: number;
}

/** One interface for every enforcement point (nftables, coturn, kamailio, webhook) and its dry-run twin. */
export interface Actuator {
  readonly name: string;
  /** the decision scopes it enforces (firewall, relay, proxy); every scope when absent (dry-run) */
  readonly scopes?: readonly Decision['scope'][];
  init(): Promise<void>;
  apply(decisions: Decision[]): Promise<ActuatorResult[]>;
  remove(decisions: Decision[]): Promise<ActuatorResult[]>;
  list(): Promise<LiveEntry[]>;
  /**
   * Makes the live state hold at least these decisions, each for the time it has left, and returns
   * what it had to restore. Actuators without their own get the enforcer's generic one (list, then
   * apply what is missing).
   */
  reconcile?(desired: Decision[]): Promise<{ restored: ActuatorResult[] }>;
  shutdown(): Promise<void>;
}

// ---- logging --------------------------------------------------------------------------------

export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  /** A logger for one component; `level` sets its own threshold. */
  child(bindings: object, opts?: { level?: 'debug' | 'info' | 'warn' | 'error' }): Logger;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

// ---- document index (Elasticsearch) ---------------------------------------------------------

/** What the index stage stores; one daily index per kind. */
export type IndexKind = 'flows-sip' | 'flows-media' | 'findings' | 'decisions' | 'audit' | 'evidence-sip' | 'incidents';

export interface IndexDocument {
  kind: IndexKind;
  /** the record's stable id: a re-delivered or replayed record maps to the same document */
  id: string;
  /** event time (epoch ms): picks the daily index */
  timestamp: number;
  /** the record's JSON text, on one line */
  source: string;
  /** a record that changes (an incident): indexed over the older version with this external version; absent: written once (create) */
  version?: number;
}

export interface IndexReport {
  indexed: number;
  /** already in the index (a re-delivery or a replay): not written again */
  duplicates: number;
  /** refused for good, by position in the written list, with the index's own reason */
  rejected: Array<{ position: number; reason: string }>;
}

export interface DocumentIndex {
  /** Installs index templates and mappings; before the first write. */
  init(): Promise<void>;
  /**
   * Resolves once every document is acknowledged by the index or rejected for good. Throws a
   * retriable INDEX_UNAVAILABLE error when the index stays unreachable: nothing was lost, the
   * caller hands the batch back to be re-delivered.
   */
  write(docs: IndexDocument[]): Promise<IndexReport>;
  /** Deletes the indices past retention; returns their names. */
  expire(nowMs: number): Promise<string[]>;
  close(): Promise<void>;
}
