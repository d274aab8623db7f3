// The single chain writer: one at a time, drafts are checked against what is already chained,
// linked, made durable, then published. A batch that fails leaves the chain as the store has it.
import type { Clock } from '../core/clock';
import type { Logger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { link, type ChainHead, type EntryDraft } from './chain';
import type { AuditStore } from './store';

export interface ChainWriterOptions {
  store: AuditStore;
  clock: Clock;
  log: Logger;
  /** after the entries are durable (audit.log.v1); also gets entries re-delivered inputs already have */
  publish?: (entries: AuditEntry[]) => Promise<void>;
  /**
   * How many recent entries the writer remembers by source id. Re-deliveries (a crash before the
   * bus committed) are of the last batches, far inside this.
   */
  recentLimit?: number;
}

export interface WriteResult {
  appended: AuditEntry[];
  /** inputs already on the chain: their existing entries */
  duplicates: AuditEntry[];
}

export class ChainWriter {
  private head: ChainHead | undefined;
  private readonly recent = new Map<string, AuditEntry>();
  private readonly limit: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ChainWriterOptions) {
    this.limit = o.recentLimit ?? 100_000;
  }

  /** Opens the store (verifying it) unless open; called by write() as needed. */
  async start(): Promise<ChainHead> {
    return this.exclusive(() => this.ensureOpen());
  }

  /** Runs `fn` while no batch is being chained (exports read a settled log). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  write(drafts: EntryDraft[]): Promise<WriteResult> {
    return this.exclusive(async () => {
      const head = await this.ensureOpen();
      const fresh: EntryDraft[] = [];
      const duplicates: AuditEntry[] = [];
      const inBatch = new Set<string>();
      for (const d of drafts) {
        const known = this.recent.get(d.source_id);
        if (known) duplicates.push(known);
        else if (!inBatch.has(d.source_id)) {
          inBatch.add(d.source_id);
          fresh.push(d);
        }
      }
      const linked = link(head, fresh, this.o.clock.now());
      try {
        await this.o.store.append(linked.entries);
      } catch (err) {
        // part of the batch may be on disk: re-read the store before chaining anything else
        this.head = undefined;
        throw err;
      }
      this.head = linked.head;
      for (const e of linked.entries) this.remember(e);
      const out = [...duplicates, ...linked.entries].sort((a, b) => a.sequence - b.sequence);
      if (out.length && this.o.publish) await this.o.publish(out);
      return { appended: linked.entries, duplicates };
    });
  }

  /** Where the chain stands (undefined until opened). */
  current(): ChainHead | undefined {
    return this.head;
  }

  async close(): Promise<void> {
    await this.exclusive(() => this.o.store.close());
    this.head = undefined;
  }

  private async ensureOpen(): Promise<ChainHead> {
    if (this.head) return this.head;
    const opened = await this.o.store.open(this.limit);
    this.recent.clear();
    for (const e of opened.recent) this.remember(e);
    this.head = opened.head;
    this.o.log.info({ store: this.o.store.location, next_sequence: opened.head.nextSequence }, 'audit chain opened');
    return opened.head;
  }

  private remember(e: AuditEntry): void {
    this.recent.set(e.source_id, e);
    if (this.recent.size > this.limit) this.recent.delete(this.recent.keys().next().value as string);
  }
}
