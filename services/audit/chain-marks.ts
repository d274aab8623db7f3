// Where the chain is known to have reached outside the log: the newest signed export and the last
// entry published on audit.log.v1. A log that ends below one of them was cut; the writer refuses
// to continue it (as CloudTrail's digest chain makes a restarted trail visible).
import type { KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BusMessage } from '../core/ports';
import { MANIFEST_FILE, SIGNATURE_FILE, type Manifest } from './manifest';
import { verifyBase64 } from './signing';

export interface ChainMark {
  sequence: number;
  hash: string;
  /** for messages: "exported in DIR", "published on audit.log.v1" */
  where: string;
}

/** Headers of every message on audit.log.v1: where the chain stood when it was published. */
export const HEAD_SEQUENCE_HEADER = 'callsentry-chain-last-sequence';
export const HEAD_HASH_HEADER = 'callsentry-chain-last-hash';

const HASH = /^[0-9a-f]{64}$/;

/** The chain position an export ends at: its last entry, or for an empty period the entry before it. */
export function exportEnd(m: Pick<Manifest, 'last' | 'previous'>): { sequence: number; hash: string } | null {
  return m.last ?? m.previous;
}

export interface ExportInfo {
  dir: string;
  manifest: Manifest;
}

/**
 * The export in `parent` whose chain reaches furthest (of those whose period ends by `endedByMs`).
 * With `key`, only manifests signed by it count (an unsigned or foreign one is skipped); the
 * manifest's own checks are verify's job.
 */
export async function newestExport(parent: string, key?: KeyObject, endedByMs = Infinity): Promise<ExportInfo | undefined> {
  const names = await readdir(parent).catch(() => [] as string[]);
  let best: ExportInfo | undefined;
  for (const name of names) {
    if (!name.startsWith('audit-') || name.includes('.partial-')) continue;
    const dir = path.join(parent, name);
    const bytes = await readFile(path.join(dir, MANIFEST_FILE)).catch(() => undefined);
    if (!bytes) continue;
    if (key) {
      const sig = await readFile(path.join(dir, SIGNATURE_FILE), 'utf8').catch(() => '');
      if (!verifyBase64(bytes, sig, key)) continue;
    }
    let m: Manifest;
    try {
      m = JSON.parse(bytes.toString('utf8')) as Manifest;
    } catch {
      continue;
    }
    const end = exportEnd(m);
    if (!(Date.parse(m.period?.to) <= endedByMs)) continue;
    if (!end || !Number.isInteger(end.sequence) || !HASH.test(end.hash)) continue;
    const bestEnd = best && exportEnd(best.manifest);
    if (!bestEnd || end.sequence > bestEnd.sequence) best = { dir, manifest: m };
  }
  return best;
}

export async function exportMark(parent: string, key?: KeyObject): Promise<ChainMark | undefined> {
  const newest = await newestExport(parent, key);
  const end = newest && exportEnd(newest.manifest);
  return end ? { ...end, where: `exported in ${newest.dir}` } : undefined;
}

/** The chain position the last message of audit.log.v1 reports (its headers, or the entry it carries). */
export function publishedMark(m: BusMessage | undefined, topic: string): ChainMark | undefined {
  if (!m) return undefined;
  const seq = m.headers[HEAD_SEQUENCE_HEADER];
  const hash = m.headers[HEAD_HASH_HEADER];
  if (seq !== undefined && /^\d+$/.test(seq) && hash !== undefined && HASH.test(hash)) return { sequence: Number(seq), hash, where: `published on ${topic}` };
  try {
    const e = JSON.parse(m.value.toString('utf8')) as { sequence?: unknown; hash?: unknown };
    if (Number.isInteger(e.sequence) && typeof e.hash === 'string' && HASH.test(e.hash)) return { sequence: e.sequence as number, hash: e.hash, where: `published on ${topic}` };
  } catch {
    // not an entry: it says nothing about the chain
  }
  return undefined;
}
