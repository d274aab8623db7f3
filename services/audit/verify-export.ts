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
import { trustedKeys, type TrustedKeys } from './trusted-keys';
import { ChainVerifier, type ChainBreak } from './verify-chain';

const ajv = new Ajv({ allErrors: false, strict: false });
const validManifest = ajv.compile<Manifest>(MANIFEST_SCHEMA);

export interface Check {
  name: 'signature' | 'files' | 'chain' | 'continuity' | 'checkpoints' | 'exports';
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

/**
 * `trust`: the auditor's keys. The key shipped in the export is used only when its fingerprint is
 * trusted (pinned); without a trusted key the signature check fails, whatever the export says.
 */
export async function verifyExport(dir: string, trust?: KeyObject | TrustedKeys): Promise<ExportVerdict> {
  const checks: Check[] = [];
  const verdict = (extra: Partial<ExportVerdict> = {}): ExportVerdict => ({ ok: checks.every((c) => c.ok) && !extra.broken, checks, ...extra });

  const bytes = await readFile(path.join(dir, MANIFEST_FILE)).catch(() => undefined);
  if (!bytes) {
    checks.push({ name: 'signature', ok: false, detail: `${MANIFEST_FILE} is missing` });
    return verdict();
  }
  checks.push(await checkSignature(dir, bytes, asTrust(trust)));

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
  if (manifest.previous_export !== undefined) checks.push(continuity(manifest));
  return verdict({ manifest, ...(chain.broken ? { broken: chain.broken } : {}) });
}

export function asTrust(trust: KeyObject | TrustedKeys | undefined): TrustedKeys {
  if (!trust) return trustedKeys([]);
  return 'fingerprints' in trust ? trust : trustedKeys([trust]);
}

async function checkSignature(dir: string, bytes: Buffer, trust: TrustedKeys): Promise<Check> {
  const sig = await readFile(path.join(dir, SIGNATURE_FILE), 'utf8').catch(() => undefined);
  if (sig === undefined) return { name: 'signature', ok: false, detail: `${SIGNATURE_FILE} is missing` };
  const signer = trust.keys.find((k) => verifyBase64(bytes, sig, k));
  if (signer) return { name: 'signature', ok: true, detail: `${MANIFEST_FILE} is signed by a trusted key, SHA-256 ${fingerprint(signer)}` };
  let shipped: KeyObject | undefined;
  try {
    shipped = loadPublicKey(await readFile(path.join(dir, PUBLIC_KEY_FILE)));
  } catch {
    shipped = undefined;
  }
  const shippedFp = shipped && fingerprint(shipped);
  const signedByShipped = shipped !== undefined && verifyBase64(bytes, sig, shipped);
  if (signedByShipped && trust.fingerprints.has(shippedFp!)) return { name: 'signature', ok: true, detail: `${MANIFEST_FILE} is signed by the pinned key SHA-256 ${shippedFp} (shipped in ${PUBLIC_KEY_FILE})` };
  const trusted = trust.fingerprints.size ? `the trusted key(s) ${[...trust.fingerprints].map((f) => f.slice(0, 16)).join(', ')}` : 'no trusted key (pass --public-key with your own copy of the key, or pin its fingerprint in audit.trusted_keys_file)';
  if (signedByShipped) return { name: 'signature', ok: false, detail: `${MANIFEST_FILE} is signed by the key shipped in the export, SHA-256 ${shippedFp}, which is not trusted: anyone who rewrites an export can ship a key with it. Trusted: ${trusted}` };
  return { name: 'signature', ok: false, detail: `${MANIFEST_FILE} does not match its signature under ${trusted}: the manifest or the signature was altered, or another key signed it` };
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

/** Does the export continue the chain where the export before it ended? */
function continuity(m: Manifest): Check {
  const pe = m.previous_export;
  const from = m.previous;
  const fromText = from ? `entry ${from.sequence}` : 'the start of the chain';
  if (!pe) return { name: 'continuity', ok: true, detail: `no earlier export in its directory; the chain continues from ${fromText}` };
  const fromSeq = from?.sequence ?? -1;
  if (pe.sequence > fromSeq) {
    return { name: 'continuity', ok: false, detail: `fork: the export before it (${pe.dir}) ended at entry ${pe.sequence}, but this one continues the chain from ${fromText}: entries ${fromSeq + 1} to ${pe.sequence} were cut from the log and the chain was continued over them` };
  }
  if (pe.sequence === fromSeq && pe.hash !== from?.hash) return { name: 'continuity', ok: false, detail: `fork: entry ${pe.sequence}, where the export before it (${pe.dir}) ended, is not the entry this one continues from: the log was rewritten or replaced in between` };
  if (pe.sequence < fromSeq) return { name: 'continuity', ok: true, detail: `follows ${pe.dir} (ended at entry ${pe.sequence}); entries ${pe.sequence + 1} to ${fromSeq} are in neither (verify the exports together to see whether another export holds them)` };
  return { name: 'continuity', ok: true, detail: `continues ${pe.dir} from its last entry ${pe.sequence}` };
}

function sorted(o: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}
