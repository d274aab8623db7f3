// What an export claims about itself; manifest.sig signs these exact bytes.
import type { Actor } from '../core/records';
import type { ExportFormat } from './entries-file';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const PUBLIC_KEY_FILE = 'public-key.pem';
export const SUMMARY_FILE = 'summary.html';

export interface Manifest {
  kind: 'callsentry-audit-export';
  version: 1;
  /** entries whose recorded_at is in [from, to) */
  period: { from: string; to: string };
  created_at: string;
  entries: { file: string; format: ExportFormat; count: number };
  counts_by_actor: Partial<Record<Actor, number>>;
  /** null for a period without entries */
  first: { sequence: number; hash: string; hash_prev: string } | null;
  last: { sequence: number; hash: string } | null;
  /** the entry before the period (null at the start of the chain): the previous export's last */
  previous: { sequence: number; hash: string } | null;
  /**
   * Where the newest earlier export in the same directory ended (its last entry, or the entry
   * before its empty period); null when there was none. Absent from exports made before it existed.
   * An export that continues the chain from below it was made from a log that was cut and continued.
   */
  previous_export?: { dir: string; sequence: number; hash: string } | null;
  /** SHA-256 (hex) of every other file of the export */
  files: Record<string, string>;
  public_key: { file: string; sha256: string };
}

const HASH = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const SEQ = { type: 'integer', minimum: 0 };
const TIME = { type: 'string', minLength: 20, maxLength: 40 };
const nullable = (o: object) => ({ anyOf: [{ type: 'null' }, o] });

/** what verify requires before it trusts any field of a manifest (a tampered one may be anything) */
export const MANIFEST_SCHEMA = {
  type: 'object',
  required: ['kind', 'version', 'period', 'created_at', 'entries', 'counts_by_actor', 'first', 'last', 'previous', 'files', 'public_key'],
  properties: {
    kind: { const: 'callsentry-audit-export' },
    version: { const: 1 },
    period: { type: 'object', required: ['from', 'to'], properties: { from: TIME, to: TIME } },
    created_at: TIME,
    entries: { type: 'object', required: ['file', 'format', 'count'], properties: { file: { type: 'string' }, format: { enum: ['csv', 'ndjson'] }, count: SEQ } },
    counts_by_actor: { type: 'object', additionalProperties: SEQ },
    first: nullable({ type: 'object', required: ['sequence', 'hash', 'hash_prev'], properties: { sequence: SEQ, hash: HASH, hash_prev: HASH } }),
    last: nullable({ type: 'object', required: ['sequence', 'hash'], properties: { sequence: SEQ, hash: HASH } }),
    previous: nullable({ type: 'object', required: ['sequence', 'hash'], properties: { sequence: SEQ, hash: HASH } }),
    previous_export: nullable({ type: 'object', required: ['dir', 'sequence', 'hash'], properties: { dir: { type: 'string' }, sequence: SEQ, hash: HASH } }),
    files: { type: 'object', additionalProperties: HASH },
    public_key: { type: 'object', required: ['file', 'sha256'], properties: { file: { type: 'string' }, sha256: HASH } },
  },
} as const;
