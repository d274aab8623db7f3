// Checks an export as an auditor would: the manifest's signature, every file's SHA-256, and the
// chain of its entries against what the signed manifest says (first link, last hash, counts,
// period). Reports every check and names the first broken entry.
import Ajv from 'ajv';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntry } from '../core/records';
import { GENESIS_HASH, sha256Hex } from './canonical';
import { parseEntries, type ExportFormat } from './entries-file';
import { MANIFEST_FILE, MANIFEST_SCHEMA, PUBLIC_KEY_FILE, SIGNATURE_FILE, type Manifest } from './manifest';
import { fingerprint, loadPublicKey, verifyBase64 } from './signing';
import { ChainVerifier, type ChainBreak } from './verify-chain';

const ajv = new Ajv({ allErrors: false, strict: false });
const validManifest = ajv.compile<Manifest>(MANIFEST_SCHEMA);

export interface Check {
  name: 'signature' | 'files' | 'chain';
  ok: boolean;
  detail: string;
}

export interface ExportVerdict {
  ok: boolean;
  checks: Check[];
  /** the first entry that does not verify */
  broken?: ChainBreak;
  manifest?: Manifest;
}

/** `trustedKey`: the auditor's copy of the public key; without it the key shipped in the export is used (and said so). */
export async function verifyExport(dir: string, trustedKey?: KeyObject): Promise<ExportVerdict> {
  const checks: Check[] = [];
  const verdict = (extra: Partial<ExportVerdict> = {}): ExportVerdict => ({ ok: checks.every((c) => c.ok) && !extra.broken, checks, ...extra });

  const bytes = await readFile(path.join(dir, MANIFEST_FILE)).catch(() => undefined);
  if (!bytes) {
    checks.push({ name: 'signature', ok: false, detail: `${MANIFEST_FILE} is missing` });
    return verdict();
  }
  checks.push(await checkSignature(dir, bytes, trustedKey));

  let manifest: Manifest;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (!validManifest(value)) throw new Error(`not an export manifest: ${ajv.errorsText(validManifest.errors)}`);
    manifest = value;
  } catch (err) {
    checks.push({ name: 'files', ok: false, detail: `${MANIFEST_FILE} cannot be read: ${(err as Error).message}` });
    return verdict();
  }
  checks.push(await checkFiles(dir, manifest));
  const chain = await checkChain(dir, manifest);
  checks.push(chain.check);
  return verdict({ manifest, ...(chain.broken ? { broken: chain.broken } : {}) });
}

async function checkSignature(dir: string, bytes: Buffer, trustedKey?: KeyObject): Promise<Check> {
  const sig = await readFile(path.join(dir, SIGNATURE_FILE), 'utf8').catch(() => undefined);
  if (sig === undefined) return { name: 'signature', ok: false, detail: `${SIGNATURE_FILE} is missing` };
  let key = trustedKey;
  if (!key) {
    try {
      key = loadPublicKey(await readFile(path.join(dir, PUBLIC_KEY_FILE)));
    } catch (err) {
      return { name: 'signature', ok: false, detail: `no usable public key: ${(err as Error).message}` };
    }
  }
  const whose = trustedKey ? 'the trusted key' : `the key shipped in the export (pass --public-key to check against your own copy)`;
  return verifyBase64(bytes, sig, key)
    ? { name: 'signature', ok: true, detail: `${MANIFEST_FILE} is signed by ${whose}, SHA-256 ${fingerprint(key)}` }
    : { name: 'signature', ok: false, detail: `${MANIFEST_FILE} does not match its signature under ${whose}: the manifest or the signature was altered, or another key signed it` };
}

async function checkFiles(dir: string, m: Manifest): Promise<Check> {
  const bad: string[] = [];
  const names = Object.keys(m.files);
  for (const name of names) {
    // a tampered manifest must not make verify read outside the export
    if (name !== path.basename(name) || name.startsWith('.')) {
      bad.push(`${name}: not a file name of the export`);
      continue;
    }
    const data = await readFile(path.join(dir, name)).catch(() => undefined);
    if (!data) bad.push(`${name}: missing`);
    else if (sha256Hex(data) !== m.files[name]) bad.push(`${name}: SHA-256 differs from the manifest (altered)`);
  }
  if (!names.includes(m.entries.file)) bad.push(`${m.entries.file}: not hashed in the manifest`);
  return bad.length ? { name: 'files', ok: false, detail: bad.join('; ') } : { name: 'files', ok: true, detail: `${names.length} files match their SHA-256 (${names.join(', ')})` };
}

async function checkChain(dir: string, m: Manifest): Promise<{ check: Check; broken?: ChainBreak }> {
  const fail = (broken: ChainBreak) => ({ check: { name: 'chain' as const, ok: false, detail: `broken at entry ${broken.sequence} (line ${broken.line}): ${broken.why}` }, broken });
  const format: ExportFormat = m.entries.format;
  const text = path.basename(m.entries.file) === m.entries.file ? await readFile(path.join(dir, m.entries.file), 'utf8').catch(() => undefined) : undefined;
  const startSeq = m.previous ? m.previous.sequence + 1 : 0;
  if (text === undefined) return fail({ sequence: startSeq, line: 0, why: `${m.entries.file} is missing` });
  // the chain continues from the entry before the period, as the signed manifest says
  const verifier = new ChainVerifier({ sequence: startSeq, hashPrev: m.previous?.hash ?? GENESIS_HASH });
  const from = Date.parse(m.period.from);
  const to = Date.parse(m.period.to);
  const counts: Record<string, number> = {};
  for (const p of parseEntries(text, format)) {
    const expected = startSeq + verifier.count;
    if ('error' in p) return fail({ sequence: expected, line: p.line, why: p.error });
    const br = verifier.push(p.value, p.line);
    if (br) return fail(br);
    const e = p.value as AuditEntry;
    const at = Date.parse(e.recorded_at);
    if (!(at >= from && at < to)) return fail({ sequence: e.sequence, line: p.line, why: `recorded_at ${e.recorded_at} is outside the period ${m.period.from} to ${m.period.to}` });
    counts[e.actor.type] = (counts[e.actor.type] ?? 0) + 1;
  }
  const end = startSeq + verifier.count;
  const mismatch = (why: string) => fail({ sequence: end, line: verifier.count + 1, why });
  if (m.first && verifier.first?.hash !== m.first.hash) return mismatch(`the first entry is not the one the manifest names (${m.first.sequence})`);
  if (m.first && m.first.hash_prev !== (m.previous?.hash ?? GENESIS_HASH)) return mismatch('the manifest\'s first hash_prev and previous entry disagree');
  if (verifier.count !== m.entries.count) return mismatch(`${verifier.count} entries where the manifest says ${m.entries.count}: entries were removed or added at the end`);
  if ((m.last?.hash ?? null) !== (verifier.last?.hash ?? null) || (m.last?.sequence ?? null) !== (verifier.last?.sequence ?? null)) return mismatch('the last entry is not the one the manifest names: entries were removed or added at the end');
  if (JSON.stringify(sorted(counts)) !== JSON.stringify(sorted(m.counts_by_actor))) return mismatch('the counts by actor differ from the manifest');
  const range = verifier.count ? `entries ${verifier.first!.sequence} to ${verifier.last!.sequence}` : 'no entries';
  return { check: { name: 'chain', ok: true, detail: `${verifier.count} entries verify (${range}), linked from ${m.previous ? `entry ${m.previous.sequence}` : 'the start of the chain'}` } };
}

function sorted(o: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}
