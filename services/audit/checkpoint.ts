// Signed checkpoints: entries of the chain itself (so readers that know nothing of them see one
// more valid entry) that sign, with the export signing key, the sequence and hash of the entry
// right before them. Rewriting the log without the key, re-chained or not, cannot keep the
// signatures of the checkpoints after the change; removing those checkpoints leaves more entries
// after the last one than the writer lets pass (`next`), which verify reports.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AuditEntry } from '../core/records';
import type { ChainHead, EntryDraft } from './chain';
import { signBase64, verifyBase64 } from './signing';

export const CHECKPOINT_OUTCOME = 'checkpoint';
const SOURCE_PREFIX = 'checkpoint:';
const RESULT = /^ed25519 sig=([A-Za-z0-9+/]+={0,2}) pub=([A-Za-z0-9+/]+={0,2}) next=(\d+)\/(\d+)$/;

export interface CheckpointPolicy {
  key: KeyObject;
  /** a checkpoint follows at the latest after this many entries ... */
  everyEntries: number;
  /** ... or with the first batch recorded this long after the last checkpoint */
  everySeconds: number;
}

/** What a checkpoint entry says, read back. */
export interface CheckpointClaim {
  /** the entry it covers: the one right before it */
  sequence: number;
  hash: string;
  /** the signer's public key (DER SPKI, base64): trusted only if its fingerprint is */
  publicKey: string;
  signature: string;
  everyEntries: number;
  everySeconds: number;
}

/** The bytes a checkpoint signs. */
export function checkpointStatement(sequence: number, hash: string, everyEntries: number, everySeconds: number): Buffer {
  return Buffer.from(`callsentry-audit-checkpoint/1 sequence=${sequence} hash=${hash} next=${everyEntries}/${everySeconds}`);
}

/** A checkpoint of everything up to the head (which has at least one entry). */
export function checkpointDraft(head: ChainHead, policy: CheckpointPolicy, why: string, atIso: string): EntryDraft {
  const sequence = head.nextSequence - 1;
  const sig = signBase64(checkpointStatement(sequence, head.lastHash, policy.everyEntries, policy.everySeconds), policy.key);
  return {
    '@timestamp': atIso,
    source_id: `${SOURCE_PREFIX}${sequence}`,
    actor: { type: 'system', id: 'audit-checkpoint' },
    what: `checkpoint of entries 0 to ${sequence}, last hash ${head.lastHash}`,
    why,
    result: `ed25519 sig=${sig} pub=${createPublicKey(policy.key).export({ type: 'spki', format: 'der' }).toString('base64')} next=${policy.everyEntries}/${policy.everySeconds}`,
    outcome: CHECKPOINT_OUTCOME,
  };
}

export function isCheckpoint(e: Pick<AuditEntry, 'source_id' | 'outcome'>): boolean {
  return e.outcome === CHECKPOINT_OUTCOME && e.source_id.startsWith(SOURCE_PREFIX);
}

/** The claim of a checkpoint entry, or undefined when it is not one in the form the writer writes. */
export function readCheckpoint(e: AuditEntry): CheckpointClaim | undefined {
  const m = RESULT.exec(e.result);
  if (!isCheckpoint(e) || !m || e.sequence === 0) return undefined;
  return { sequence: e.sequence - 1, hash: e.hash_prev, signature: m[1], publicKey: m[2], everyEntries: Number(m[3]), everySeconds: Number(m[4]) };
}

/** The signer's key, or undefined when the checkpoint does not carry an Ed25519 public key. */
export function checkpointKey(c: CheckpointClaim): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(c.publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

export function checkpointSigned(c: CheckpointClaim, key: KeyObject): boolean {
  return verifyBase64(checkpointStatement(c.sequence, c.hash, c.everyEntries, c.everySeconds), c.signature, key);
}
