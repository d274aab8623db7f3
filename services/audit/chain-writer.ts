// The single chain writer: one at a time, drafts are checked against what is already chained,
// linked, made durable, then published. A batch that fails leaves the chain as the store has it.
// With a signing key it puts signed checkpoints into the chain (checkpoint.ts), and it refuses to
// continue a log that ends below an entry already exported or published (chain-marks.ts).
import type { Clock } from '../core/clock';
import { toIso } from '../core/clock';
import { CallsentryError } from '../core/errors';
import type { Logger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { link, type ChainHead, type EntryDraft } from './chain';
import type { ChainMark } from './chain-marks';
import { checkpointDraft, isCheckpoint, type CheckpointPolicy } from './checkpoint';
import type { AuditStore } from './store';

export interface ChainWriterOptions {
  store: AuditStore;
  clock: Clock;
  log: Logger;
  /**
   * After the entries are durable (audit.log.v1); also gets entries re-delivered inputs already
   * have. `head` is where the chain stands after them: the last message published says how far
   * the chain had come, whichever entry it carries.
   */
  publish?: (entries: AuditEntry[], head: ChainHead) => Promise<void>;
  /**
   * How many recent entries the writer remembers by source id. Re-deliveries (a crash before the
   * bus committed) are of the last batches, far inside this.
   */
  recentLimit?: number;
  /** signed checkpoints; none without a key */
  checkpoints?: CheckpointPolicy;
  /** entries the chain already reached elsewhere (exports, audit.log.v1): the log must hold them */
  marks?: () => Promise<ChainMark[]>;
}

export interface WriteResult {
  appended: AuditEntry[];
  /** inputs already on the chain: their existing entries */
  duplicates: AuditEntry[];
}

/** What a job run by exclusive() may do to the chain meanwhile. */
export interface ExclusiveAccess {
  /** appends a signed checkpoint of everything so far (when checkpoints are on and it covers something) */
  checkpoint(why: string): Promise<AuditEntry | undefined>;
}

interface CheckpointState {
  /** entries after the last checkpoint */
  uncovered: number;
  lastCheckpointAtMs: number;
}

export class ChainWriter {
  private head: ChainHead | undefined;
  private cp: CheckpointState = { uncovered: 0, lastCheckpointAtMs: -Infinity };
  private readonly recent = new Map<string, AuditEntry>();
  private readonly limit: number;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly access: ExclusiveAccess = { checkpoint: (why) => this.appendCheckpoint(why) };

  constructor(private readonly o: ChainWriterOptions) {
    this.limit = o.recentLimit ?? 100_000;
  }

  /** Opens the store (verifying it) unless open; called by write() as needed. */
  async start(): Promise<ChainHead> {
    return this.exclusive(() => this.ensureOpen());
  }

  /** Runs `fn` while no batch is being chained (exports read a settled log). */
  exclusive<T>(fn: (access: ExclusiveAccess) => Promise<T>): Promise<T> {
    const run = this.queue.then(
      () => fn(this.access),
      () => fn(this.access),
    );
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
      const appended = await this.append(head, fresh, duplicates);
      return { appended: appended.filter((e) => !isCheckpoint(e)), duplicates };
    });
  }

  /** A checkpoint now if entries wait for one longer than the policy allows (the service's timer). */
  checkpointIfDue(): Promise<AuditEntry | undefined> {
    return this.exclusive(async () => {
      const p = this.o.checkpoints;
      if (!p || !this.head || this.cp.uncovered === 0 || this.o.clock.now() - this.cp.lastCheckpointAtMs < p.everySeconds * 1000) return undefined;
      return this.appendCheckpoint(`every ${p.everyEntries} entries or ${p.everySeconds} s`);
    });
  }

  /** Where the chain stands (undefined until opened). */
  current(): ChainHead | undefined {
    return this.head;
  }

  /** Closes the store, after a checkpoint of what is not yet covered by one. */
  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.head) await this.appendCheckpoint('writer stopped').catch((err) => this.o.log.warn({ err }, 'audit chain: no checkpoint at close'));
      await this.o.store.close();
    });
    this.head = undefined;
  }

  /** Links `fresh` after `head` with checkpoints where the policy wants them, appends it all in one write, publishes. */
  private async append(head: ChainHead, fresh: EntryDraft[], duplicates: AuditEntry[] = []): Promise<AuditEntry[]> {
    const p = this.o.checkpoints;
    const now = this.o.clock.now();
    const entries: AuditEntry[] = [];
    let at = head;
    let cp = { ...this.cp };
    let rest = fresh;
    while (rest.length) {
      // never more than everyEntries entries after a checkpoint: verify counts them
      const part = p ? rest.slice(0, Math.max(1, p.everyEntries - cp.uncovered)) : rest;
      rest = rest.slice(part.length);
      const linked = link(at, part, now);
      entries.push(...linked.entries);
      at = linked.head;
      cp.uncovered += part.length;
      if (p && (cp.uncovered >= p.everyEntries || at.lastRecordedAtMs - cp.lastCheckpointAtMs >= p.everySeconds * 1000)) {
        const c = link(at, [checkpointDraft(at, p, `every ${p.everyEntries} entries or ${p.everySeconds} s`, toIso(at.lastRecordedAtMs))], now);
        entries.push(...c.entries);
        at = c.head;
        cp = { uncovered: 0, lastCheckpointAtMs: at.lastRecordedAtMs };
      }
    }
    try {
      await this.o.store.append(entries);
    } catch (err) {
      // part of the batch may be on disk: re-read the store before chaining anything else
      this.head = undefined;
      throw err;
    }
    this.head = at;
    this.cp = cp;
    for (const e of entries) this.remember(e);
    const out = [...duplicates, ...entries].sort((a, b) => a.sequence - b.sequence);
    if (out.length && this.o.publish) await this.o.publish(out, at);
    return entries;
  }

  private async appendCheckpoint(why: string): Promise<AuditEntry | undefined> {
    const p = this.o.checkpoints;
    const head = await this.ensureOpen();
    if (!p || this.cp.uncovered === 0 || head.nextSequence === 0) return undefined;
    const recordedAt = Math.max(this.o.clock.now(), head.lastRecordedAtMs);
    const linked = link(head, [checkpointDraft(head, p, why, toIso(recordedAt))], this.o.clock.now());
    try {
      await this.o.store.append(linked.entries);
    } catch (err) {
      this.head = undefined;
      throw err;
    }
    this.head = linked.head;
    this.cp = { uncovered: 0, lastCheckpointAtMs: linked.head.lastRecordedAtMs };
    this.remember(linked.entries[0]);
    if (this.o.publish) await this.o.publish(linked.entries, linked.head);
    return linked.entries[0];
  }

  private async ensureOpen(): Promise<ChainHead> {
    if (this.head) return this.head;
    const opened = await this.o.store.open(this.limit);
    const marks = this.o.marks ? await this.o.marks() : [];
    await this.checkMarks(opened.head, opened.recent, marks);
    this.recent.clear();
    for (const e of opened.recent) this.remember(e);
    this.head = opened.head;
    this.cp = checkpointState(opened.recent);
    this.o.log.info({ store: this.o.store.location, next_sequence: opened.head.nextSequence, checkpoints: this.o.checkpoints ? 'signed' : 'off', marks: marks.length }, 'audit chain opened');
    const p = this.o.checkpoints;
    // entries a crash left without their checkpoint, or a log from before checkpoints: covered first
    if (p && this.cp.uncovered > 0 && (this.cp.uncovered >= p.everyEntries || opened.head.lastRecordedAtMs - this.cp.lastCheckpointAtMs >= p.everySeconds * 1000)) {
      await this.appendCheckpoint('writer started');
    }
    return this.head!;
  }

  /** The log must hold every entry the chain reached elsewhere, with the same hash. */
  private async checkMarks(head: ChainHead, recent: AuditEntry[], marks: ChainMark[]): Promise<void> {
    const last = head.nextSequence - 1;
    for (const m of marks) {
      if (m.sequence > last) {
        throw new CallsentryError(
          'AUDIT_CHAIN_BEHIND',
          `the audit log ${this.o.store.location} ends at ${last < 0 ? 'no entry (it is empty)' : `entry ${last}`}, but entry ${m.sequence} was already ${m.where}: the log was cut, emptied or restored from an older copy. ` +
            `Refusing to continue it: new entries would reuse sequence numbers that exist elsewhere (a fork). Restore the missing entries (an ndjson export holds the log's own lines) and keep the cut file for investigation`,
          { context: { file: this.o.store.location, last_sequence: last, mark: m } },
        );
      }
      const hash = recent.find((e) => e.sequence === m.sequence)?.hash ?? (await this.hashAt(m.sequence));
      if (hash !== m.hash) {
        throw new CallsentryError(
          'AUDIT_CHAIN_BROKEN',
          `entry ${m.sequence} of the audit log ${this.o.store.location} is not the one ${m.where} (hash ${hash ?? 'missing'} where ${m.hash} was expected): the log was rewritten or replaced. Refusing to continue it; keep the file for investigation`,
          { context: { file: this.o.store.location, mark: m } },
        );
      }
    }
  }

  private async hashAt(sequence: number): Promise<string | undefined> {
    for await (const e of this.o.store.entries()) if (e.sequence === sequence) return e.hash;
    return undefined;
  }

  private remember(e: AuditEntry): void {
    this.recent.set(e.source_id, e);
    if (this.recent.size > this.limit) this.recent.delete(this.recent.keys().next().value as string);
  }
}

function checkpointState(recent: AuditEntry[]): CheckpointState {
  for (let i = recent.length - 1; i >= 0; i--) {
    if (isCheckpoint(recent[i])) return { uncovered: recent.length - 1 - i, lastCheckpointAtMs: Date.parse(recent[i].recorded_at) };
  }
  return { uncovered: recent.length, lastCheckpointAtMs: -Infinity };
}
