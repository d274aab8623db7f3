// One export of a period: the entries (csv or ndjson), the summary, the public key, and the
// manifest that hashes them, signed. Written beside its final name and renamed at the end, so a
// directory with the final name is always complete.
import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { createHash, type KeyObject } from 'node:crypto';
import { toIso } from '../core/clock';
import { CallsentryError } from '../core/errors';
import type { AuditEntry } from '../core/records';
import { GENESIS_HASH, sha256Hex } from './canonical';
import { exportEnd, newestExport } from './chain-marks';
import { entriesFileName, formatEntry, header, type ExportFormat } from './entries-file';
import { MANIFEST_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE, SUMMARY_FILE, type Manifest } from './manifest';
import { fingerprint, loadPublicKey, publicKeyPem, signBase64 } from './signing';
import { SummaryBuilder } from './summary';
import { summaryHtml } from './summary-html';
import { ChainVerifier } from './verify-chain';

export interface ExportRequest {
  fromMs: number;
  toMs: number;
  format: ExportFormat;
  /** the export goes into a new directory under it, named by the period */
  parentDir: string;
  key: KeyObject;
  /** configured allowlist (enforcer.allowlist): blocks inside it are reported */
  allowlist: string[];
  nowMs: number;
}

export interface ExportResult {
  dir: string;
  manifest: Manifest;
}

export function exportDirName(fromMs: number, toMs: number): string {
  const compact = (ms: number) => toIso(ms).replace(/[-:]/g, '').replace('.000', '');
  return `audit-${compact(fromMs)}--${compact(toMs)}`;
}

/** `entries`: the whole log from its first entry; it is verified on the way, up to the period's end. */
export async function exportPeriod(entries: AsyncIterable<AuditEntry>, req: ExportRequest): Promise<ExportResult> {
  if (!(req.fromMs < req.toMs)) throw new CallsentryError('USAGE', `the period is empty: from ${toIso(req.fromMs)} is not before to ${toIso(req.toMs)}`);
  const dir = path.join(req.parentDir, exportDirName(req.fromMs, req.toMs));
  if (await exists(dir)) throw new CallsentryError('USAGE', `${dir} already exists: an export of that period was made before`);
  const work = `${dir}.partial-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const manifest = await writeExport(entries, req, work);
    await rename(work, dir);
    return { dir, manifest };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function writeExport(entries: AsyncIterable<AuditEntry>, req: ExportRequest, work: string): Promise<Manifest> {
  const file = entriesFileName(req.format);
  const out = createWriteStream(path.join(work, file));
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const fileHash = createHash('sha256');
  const put = async (text: string) => {
    fileHash.update(text);
    await write(text);
  };
  const verifier = new ChainVerifier({ sequence: 0, hashPrev: GENESIS_HASH });
  const summary = new SummaryBuilder(req.allowlist);
  const counts: Manifest['counts_by_actor'] = {};
  let previous: AuditEntry | undefined;
  let first: AuditEntry | undefined;
  let last: AuditEntry | undefined;
  let line = 0;
  await put(header(req.format));
  for await (const e of entries) {
    // nothing is exported from a log that does not verify up to the end of the period
    const br = verifier.push(e, ++line);
    if (br) throw new CallsentryError('AUDIT_CHAIN_BROKEN', `the audit log is broken at entry ${br.sequence} (line ${br.line}): ${br.why}; nothing exported`, { context: { ...br } });
    const at = Date.parse(e.recorded_at);
    if (at < req.fromMs) {
      previous = e;
      continue;
    }
    // recorded_at never goes backwards: the period's entries are one run of the chain
    if (at >= req.toMs) break;
    first ??= e;
    last = e;
    counts[e.actor.type] = (counts[e.actor.type] ?? 0) + 1;
    summary.add(e);
    await put(formatEntry(e, req.format));
  }
  out.end();
  await once(out, 'close');

  const pub = publicKeyPem(req.key);
  // CloudTrail-style: each export names where the one before its period ended, so a log that was
  // cut and continued shows (a re-export of an older period has no later export before it)
  const prior = await newestExport(req.parentDir, loadPublicKey(pub), req.fromMs);
  const priorEnd = prior && exportEnd(prior.manifest);
  const partial: Omit<Manifest, 'files'> = {
    kind: 'callsentry-audit-export',
    version: 1,
    period: { from: toIso(req.fromMs), to: toIso(req.toMs) },
    created_at: toIso(req.nowMs),
    entries: { file, format: req.format, count: summary.result().entries },
    counts_by_actor: counts,
    first: first ? { sequence: first.sequence, hash: first.hash, hash_prev: first.hash_prev } : null,
    last: last ? { sequence: last.sequence, hash: last.hash } : null,
    previous: previous ? { sequence: previous.sequence, hash: previous.hash } : null,
    previous_export: prior && priorEnd ? { dir: path.basename(prior.dir), sequence: priorEnd.sequence, hash: priorEnd.hash } : null,
    public_key: { file: PUBLIC_KEY_FILE, sha256: fingerprint(req.key) },
  };
  const html = summaryHtml(summary.result(), partial);
  await writeFile(path.join(work, SUMMARY_FILE), html);
  await writeFile(path.join(work, PUBLIC_KEY_FILE), pub);
  const manifest: Manifest = { ...partial, files: { [file]: fileHash.digest('hex'), [SUMMARY_FILE]: sha256Hex(html), [PUBLIC_KEY_FILE]: sha256Hex(pub) } };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  await writeFile(path.join(work, MANIFEST_FILE), bytes);
  await writeFile(path.join(work, SIGNATURE_FILE), signBase64(bytes, req.key) + '\n');
  return manifest;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
