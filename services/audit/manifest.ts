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
  /** SHA-256 (hex) of every other file of the export */
  files: Record<string, string>;
  public_key: { file: string; sha256: string };
}
