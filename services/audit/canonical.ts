// The bytes an entry's hash covers: JSON with keys sorted at every level and no whitespace, so the
// same entry always hashes the same whichever program wrote or re-read it.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../core/records';

/** hash_prev of the first entry of a chain */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the canonical JSON of the entry without its own `hash` (hash_prev included). */
export function entryHash(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}
