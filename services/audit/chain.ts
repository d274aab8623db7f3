// Linking drafts into the chain: numbers, times and hashes. Pure: the writer owns storage and order.
import { toIso } from '../core/clock';
import type { AuditEntry } from '../core/records';
import { entryHash, GENESIS_HASH } from './canonical';

/** What an entry says before it is chained. */
export type EntryDraft = Omit<AuditEntry, 'sequence' | 'recorded_at' | 'hash_prev' | 'hash'>;

/** Where the chain stands: the next entry's sequence and hash_prev, and the last recorded_at. */
export interface ChainHead {
  nextSequence: number;
  lastHash: string;
  lastRecordedAtMs: number;
}

export const GENESIS: ChainHead = { nextSequence: 0, lastHash: GENESIS_HASH, lastRecordedAtMs: 0 };

export function headAfter(entry: AuditEntry): ChainHead {
  return { nextSequence: entry.sequence + 1, lastHash: entry.hash, lastRecordedAtMs: Date.parse(entry.recorded_at) };
}

export function link(head: ChainHead, drafts: EntryDraft[], nowMs: number): { entries: AuditEntry[]; head: ChainHead } {
  // a clock stepped back must not make recorded_at go backwards: exports select periods by it
  const recordedAtMs = Math.max(nowMs, head.lastRecordedAtMs);
  const recorded_at = toIso(recordedAtMs);
  const entries: AuditEntry[] = [];
  let { nextSequence, lastHash } = head;
  for (const d of drafts) {
    const unhashed = { ...normalise(d), sequence: nextSequence, recorded_at, hash_prev: lastHash };
    const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
    entries.push(entry);
    nextSequence++;
    lastHash = entry.hash;
  }
  return { entries, head: { nextSequence, lastHash, lastRecordedAtMs: entries.length ? recordedAtMs : head.lastRecordedAtMs } };
}

/**
 * Empty optional fields are left out: a CSV export cannot tell "" from absent, and an entry must
 * read back from CSV exactly as it was hashed.
 */
function normalise(d: EntryDraft): EntryDraft {
  const out: EntryDraft = { '@timestamp': d['@timestamp'], source_id: wellFormed(d.source_id), actor: { type: d.actor.type, id: wellFormed(d.actor.id) }, what: wellFormed(d.what), why: wellFormed(d.why), result: wellFormed(d.result) };
  if (d.ref && d.ref.kind && d.ref.id) out.ref = { kind: wellFormed(d.ref.kind), id: wellFormed(d.ref.id) };
  if (d.ticket) out.ticket = wellFormed(d.ticket);
  if (d.outcome) out.outcome = wellFormed(d.outcome);
  return out;
}

/**
 * A lone UTF-16 surrogate (JSON allows "\ud800") has no UTF-8 form: written to a CSV file it would
 * come back as U+FFFD and the entry would no longer match its hash. It becomes U+FFFD before hashing.
 */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
