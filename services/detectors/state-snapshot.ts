// The detect stage's snapshot of one partition: its engine's state, its source standing, and the
// input offset they cover. Framed so that a reader can refuse it before trusting a byte:
//   "CSDS" | format version (u16 BE) | body length (u32 BE) | SHA-256 of the body | body (gzip JSON)
// A snapshot of another format version, a torn or altered one, or one for another partition or
// another set of detectors is refused with a reason; the stage then rebuilds by re-reading.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync, constants } from 'node:zlib';
import type { EngineState } from './engine';
import type { StandingState } from './source-standing';

// 3: a sketched distinct set carries the values it keeps to quote (evidence.observed), a key the
// severity score of the finding that suppresses it (so a graver verdict escalates past it, and a
// horizon does not repeat another's)
export const SNAPSHOT_FORMAT = 3;
const MAGIC = Buffer.from('CSDS');
const HEADER_BYTES = 4 + 2 + 4 + 32;

export interface PartitionSnapshot {
  /** the input topic and partition the snapshot is of */
  topic: string;
  partition: number;
  /** offset of the first input record the snapshot does not cover (where re-reading starts) */
  offset: string;
  /** wall time it was written (epoch ms), for operators */
  writtenAt: number;
  engine: EngineState;
  standing: StandingState;
}

export type RefusalReason = 'corrupt' | 'version' | 'oversized' | 'incompatible';

export class SnapshotRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export function encodeSnapshot(s: PartitionSnapshot): Buffer {
  // level 1: snapshots are mostly zeroed counters, which the fastest level already squeezes
  const body = gzipSync(JSON.stringify(s), { level: constants.Z_BEST_SPEED });
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt16BE(SNAPSHOT_FORMAT, 4);
  header.writeUInt32BE(body.length, 6);
  createHash('sha256').update(body).digest().copy(header, 10);
  return Buffer.concat([header, body]);
}

/** Decodes and checks a snapshot; throws SnapshotRefused with the reason it cannot be used. */
export function decodeSnapshot(buf: Buffer, expect: { topic: string; partition: number; maxBytes: number }): PartitionSnapshot {
  if (buf.length > expect.maxBytes) throw new SnapshotRefused('oversized', `${buf.length} bytes, more than the ${expect.maxBytes} allowed`);
  if (buf.length < HEADER_BYTES || !buf.subarray(0, 4).equals(MAGIC)) throw new SnapshotRefused('corrupt', 'not a callsentry detect snapshot');
  const version = buf.readUInt16BE(4);
  if (version !== SNAPSHOT_FORMAT) throw new SnapshotRefused('version', `format ${version}, this version reads ${SNAPSHOT_FORMAT}`);
  const length = buf.readUInt32BE(6);
  const body = buf.subarray(HEADER_BYTES);
  if (body.length !== length) throw new SnapshotRefused('corrupt', `body of ${body.length} bytes, header says ${length}`);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(10, HEADER_BYTES))) throw new SnapshotRefused('corrupt', 'checksum does not match');
  let s: PartitionSnapshot;
  try {
    // bounded: a body that inflates past the limit is refused, not expanded into memory
    s = JSON.parse(gunzipSync(body, { maxOutputLength: expect.maxBytes * 8 }).toString('utf8')) as PartitionSnapshot;
  } catch (err) {
    throw new SnapshotRefused('corrupt', (err as Error).message);
  }
  if (!s || typeof s !== 'object' || typeof s.offset !== 'string' || !/^\d+$/.test(s.offset) || !s.engine || typeof s.engine !== 'object') {
    throw new SnapshotRefused('corrupt', 'fields missing');
  }
  if (s.topic !== expect.topic || s.partition !== expect.partition) {
    throw new SnapshotRefused('incompatible', `of ${s.topic}/${s.partition}, not ${expect.topic}/${expect.partition}`);
  }
  return s;
}
