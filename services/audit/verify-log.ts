// Verifies a live log file from its first entry: the hash chain, then what the chain alone cannot
// show. Signed checkpoints (checkpoint.ts) prove the entries they cover against someone who
// rewrites the file without the key; entries after the last one are reported as not proven, and a
// log with more entries (or time) after a checkpoint than the writer lets pass lost checkpoints.
// A tail cut after a checkpoint shows only against something outside the file: the marks of
// exports verified with it (`audit verify LOG EXPORT...`), or the writer's check on start.
import type { KeyObject } from 'node:crypto';
import type { AuditEntry } from '../core/records';
import { GENESIS_HASH } from './canonical';
import type { ChainMark } from './chain-marks';
import { checkpointKey, checkpointSigned, isCheckpoint, readCheckpoint } from './checkpoint';
import { readLines } from './lines';
import { fingerprint } from './signing';
import type { TrustedKeys } from './trusted-keys';
import { ChainVerifier } from './verify-chain';
import { asTrust, type Check, type ExportVerdict } from './verify-export';

export interface Unproven {
  /** sequences, inclusive; `to` may be absent for a line that is no entry */
  from: number;
  to: number;
  why: string;
}

export interface LogVerdict extends ExportVerdict {
  /** the last trusted checkpoint (it and every entry before it are proven) */
  provenTo?: number;
  unproven: Unproven[];
}

interface Policy {
  at: number;
  everyEntries: number;
  everySeconds: number;
}

export async function verifyLogFile(file: string, trust?: KeyObject | TrustedKeys, marks: ChainMark[] = []): Promise<LogVerdict> {
  const keys = asTrust(trust);
  const verifier = new ChainVerifier({ sequence: 0, hashPrev: GENESIS_HASH });
  const problems: string[] = [];
  const unproven: Unproven[] = [];
  let provenTo = -1;
  let policy: Policy | undefined;
  let since = 0;
  let overdueAt: string | undefined;
  let checkpoints = 0;
  let torn: { line: number; bytes: number } | undefined;
  const missing = (e: AuditEntry, why: string) => problems.push(`checkpoint missing before entry ${e.sequence}: ${why}; checkpoints were removed (or the writer ran without audit.signing_key_file)`);
  const pending = new Map(marks.map((m) => [m.sequence, m]));

  for await (const line of readLines(file)) {
    if (!line.terminated) {
      torn = { line: line.number, bytes: Buffer.byteLength(line.text) };
      break;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      value = undefined;
    }
    const br = value === undefined ? { sequence: verifier.count, line: line.number, why: 'the line is not JSON' } : verifier.push(value, line.number);
    if (br) {
      unproven.push({ from: Math.max(provenTo + 1, 0), to: Math.max(br.sequence, provenTo + 1), why: 'the chain breaks here: nothing from the last checkpoint on is proven' });
      const check: Check = { name: 'chain', ok: false, detail: `broken at entry ${br.sequence} (line ${br.line}): ${br.why}` };
      return { ok: false, checks: [check], broken: br, unproven, ...(provenTo >= 0 ? { provenTo } : {}) };
    }
    const e = value as AuditEntry;
    const mark = pending.get(e.sequence);
    if (mark) {
      pending.delete(e.sequence);
      if (mark.hash !== e.hash) problems.push(`entry ${e.sequence} is not the one ${mark.where}: the log was rewritten or replaced from there (a fork)`);
    }
    if (isCheckpoint(e)) {
      checkpoints++;
      const claim = readCheckpoint(e);
      const key = claim && checkpointKey(claim);
      if (!claim || !key) {
        problems.push(`entry ${e.sequence} calls itself a checkpoint but is not one in the form the writer writes`);
        continue;
      }
      const fp = fingerprint(key);
      if (!keys.fingerprints.has(fp)) {
        problems.push(`the checkpoint at entry ${e.sequence} is signed by key SHA-256 ${fp}, which is not trusted${keys.fingerprints.size ? '' : ' (no trusted key: pass --public-key, or pin it in audit.trusted_keys_file)'}`);
        continue;
      }
      if (!checkpointSigned(claim, key)) {
        problems.push(`the checkpoint at entry ${e.sequence} does not verify: entries up to ${claim.sequence} are not what was signed (altered, inserted or removed, and re-chained)`);
        continue;
      }
      // the checkpoint itself is the proof of what it covers: counted as proven with them
      provenTo = e.sequence;
      policy = { at: Date.parse(e.recorded_at), everyEntries: claim.everyEntries, everySeconds: claim.everySeconds };
      since = 0;
      overdueAt = undefined;
      continue;
    }
    if (!policy) continue;
    since++;
    if (since === policy.everyEntries + 1) missing(e, `more than ${policy.everyEntries} entries after the checkpoint at entry ${provenTo}`);
    if (Date.parse(e.recorded_at) - policy.at >= policy.everySeconds * 1000) {
      // the writer appends a checkpoint in the same write as the first batch that is due
      if (overdueAt === undefined) overdueAt = e.recorded_at;
      else if (overdueAt !== e.recorded_at) {
        missing(e, `recorded more than ${policy.everySeconds} s after the checkpoint at entry ${provenTo}, with a later batch`);
        policy = undefined;
      }
    }
  }
  const last = verifier.last;
  if (overdueAt !== undefined && policy && last) problems.push(`checkpoint missing after entry ${last.sequence}: the last batch was recorded more than ${policy.everySeconds} s after the last checkpoint; it was removed (or the writer crashed mid-append and has not restarted)`);
  for (const m of pending.values()) if (!last || m.sequence > last.sequence) problems.push(`the log ends at ${last ? `entry ${last.sequence}` : 'no entry'}, but entry ${m.sequence} was ${m.where}: its tail was cut`);
  if (last && provenTo < last.sequence) unproven.push({ from: provenTo + 1, to: last.sequence, why: provenTo < 0 ? (checkpoints ? 'no checkpoint of a trusted key covers them' : 'no signed checkpoint in the log (written without audit.signing_key_file, or before checkpoints)') : 'after the last checkpoint: a cut or a re-chained change here shows only against an export or audit.log.v1' });

  const checks: Check[] = [];
  const tornText = torn ? `; line ${torn.line} is incomplete (${torn.bytes} bytes without a newline): a torn append (a crash: \`callsentry audit\` removes it on start) or a cut; it is not part of the log` : '';
  if (!last) {
    checks.push({ name: 'chain', ok: false, detail: `no entries${tornText}: an emptied log cannot be told from a new one by the file alone, and nothing in it is proven` });
  } else {
    checks.push({ name: 'chain', ok: !torn, detail: `${verifier.count} entries verify (0 to ${last.sequence}); last hash ${last.hash}${tornText}` });
  }
  if (torn && last) unproven.push({ from: last.sequence + 1, to: last.sequence + 1, why: `line ${torn.line}, incomplete` });
  const provenText = provenTo >= 0 ? `entries 0 to ${provenTo} proven by a checkpoint signed by a trusted key` : 'no entry proven by a trusted checkpoint';
  checks.push({ name: 'checkpoints', ok: problems.length === 0 && provenTo >= 0, detail: problems.length ? problems.join('; ') : `${checkpoints} checkpoint(s); ${provenText}` });
  return { ok: checks.every((c) => c.ok), checks, unproven, ...(provenTo >= 0 ? { provenTo } : {}) };
}
