// Where the chain lives. The file store is the durable one; the memory store serves the embedded
// default and tests.
import type { AuditEntry } from '../core/records';
import { GENESIS, headAfter, type ChainHead } from './chain';

export interface OpenedChain {
  head: ChainHead;
  /** the last entries, newest last: the writer's memory of what it already chained */
  recent: AuditEntry[];
}

export interface AuditStore {
  /** where, for messages */
  readonly location: string;
  /** Reads (and verifies) what is stored; throws AUDIT_CHAIN_BROKEN rather than continue a broken chain. */
  open(recentLimit: number): Promise<OpenedChain>;
  /** Appends in order; durable when the promise resolves. */
  append(entries: AuditEntry[]): Promise<void>;
  /** Every stored entry in sequence order. */
  entries(): AsyncIterable<AuditEntry>;
  close(): Promise<void>;
}

/** Keeps the newest `limit` entries: the embedded default runs for days and exports nothing. */
export class MemoryAuditStore implements AuditStore {
  readonly location = 'memory';
  readonly all: AuditEntry[] = [];

  constructor(private readonly limit = 100_000) {}

  async open(recentLimit: number): Promise<OpenedChain> {
    const last = this.all[this.all.length - 1];
    return { head: last ? headAfter(last) : GENESIS, recent: this.all.slice(-recentLimit) };
  }

  async append(entries: AuditEntry[]): Promise<void> {
    this.all.push(...entries);
    if (this.all.length > this.limit) this.all.splice(0, this.all.length - this.limit);
  }

  async *entries(): AsyncIterable<AuditEntry> {
    yield* this.all;
  }

  async close(): Promise<void> {}
}
