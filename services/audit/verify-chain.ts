// Checks a chain entry by entry and names the first broken one: sequence continuity, hash_prev
// links, each hash recomputed, recorded_at never going backwards, and the entry's schema.
import type { AuditEntry } from '../core/records';
import { validateAuditEntry } from '../core/validate';
import { entryHash } from './canonical';

export interface ChainBreak {
  /** the sequence the broken entry should have had */
  sequence: number;
  /** 1-based line (or CSV row) of the entries file */
  line: number;
  why: string;
}

export interface ChainStart {
  sequence: number;
  hashPrev: string;
}

export class ChainVerifier {
  private expectedSequence: number | undefined;
  private prevHash: string | undefined;
  private prevRecordedAtMs = -Infinity;
  private broken: ChainBreak | undefined;
  count = 0;
  first: AuditEntry | undefined;
  last: AuditEntry | undefined;

  /** `start`: what the first entry must continue from; absent, the first entry is taken as it is. */
  constructor(start?: ChainStart) {
    this.expectedSequence = start?.sequence;
    this.prevHash = start?.hashPrev;
  }

  get firstBreak(): ChainBreak | undefined {
    return this.broken;
  }

  /** Checks the next entry; after the first break, later entries are not judged. */
  push(value: unknown, line: number): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const expected = this.expectedSequence ?? (isObject(value) && Number.isInteger(value.sequence) ? (value.sequence as number) : 0);
    const fail = (why: string) => (this.broken = { sequence: expected, line, why });
    if (!validateAuditEntry(value)) return fail(`not an audit entry: ${validateAuditEntry.lastError()}`);
    const e = value;
    if (e.sequence !== expected) return fail(`sequence ${e.sequence} where ${expected} was expected: an entry was removed, inserted or reordered`);
    if (this.prevHash !== undefined && e.hash_prev !== this.prevHash) return fail(`hash_prev does not match the hash of the entry before it: an entry before it was removed, altered or replaced`);
    if (entryHash(e) !== e.hash) return fail('hash does not match the entry\'s content: the entry was altered');
    if (Date.parse(e.recorded_at) < this.prevRecordedAtMs) return fail(`recorded_at ${e.recorded_at} is earlier than the entry before it`);
    this.expectedSequence = e.sequence + 1;
    this.prevHash = e.hash;
    this.prevRecordedAtMs = Date.parse(e.recorded_at);
    this.first ??= e;
    this.last = e;
    this.count++;
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
