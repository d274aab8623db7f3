// HEP v3 decoder (HEP3 Network Protocol Specification, sipcapture.org). A packet is the magic
// "HEP3", a 16-bit total length, then chunks of { vendor u16, type u16, length u16 (header
// included), value }. Every length is checked before a byte is read: the input comes from the
// network, and a lie in one field must cost a reason code, never an exception or a read past the
// end. Vendor chunks and generic chunks we do not use are skipped by their length.
import { timingSafeEqual } from 'node:crypto';
import { unzipSync } from 'node:zlib';
import { ipv4At, ipv6At } from '../pcap/ip-address';
import { decodeHepV2 } from './hep-v2-decode';
import { refuse, type HepDecodeResult, type HepPacket, type IpFamily } from './hep-packet';

export interface HepDecodeOptions {
  /** when set, every packet must carry this key in chunk 0x000e (HEP v2 has no key: refused) */
  authKey?: string;
  /** largest payload a compressed chunk may inflate to. Default 256 KiB. */
  maxInflatedBytes?: number;
}

export const HEP3_MAGIC = Buffer.from('HEP3', 'latin1');
export const HEP3_HEADER_BYTES = 6;
const CHUNK_HEADER_BYTES = 6;
const DEFAULT_MAX_INFLATED = 256 * 1024;

/** Generic chunk type ids (vendor 0). */
export const CHUNK = {
  ipFamily: 0x0001,
  ipProtocol: 0x0002,
  ipv4Src: 0x0003,
  ipv4Dst: 0x0004,
  ipv6Src: 0x0005,
  ipv6Dst: 0x0006,
  srcPort: 0x0007,
  dstPort: 0x0008,
  timeSeconds: 0x0009,
  timeMicros: 0x000a,
  protocolType: 0x000b,
  captureId: 0x000c,
  keepAliveTimer: 0x000d,
  authKey: 0x000e,
  payload: 0x000f,
  compressedPayload: 0x0010,
  correlationId: 0x0011,
} as const;

/** Value length (after the 6-byte chunk header) of the fixed-size generic chunks. */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  [CHUNK.ipFamily]: 1,
  [CHUNK.ipProtocol]: 1,
  [CHUNK.ipv4Src]: 4,
  [CHUNK.ipv4Dst]: 4,
  [CHUNK.ipv6Src]: 16,
  [CHUNK.ipv6Dst]: 16,
  [CHUNK.srcPort]: 2,
  [CHUNK.dstPort]: 2,
  [CHUNK.timeSeconds]: 4,
  [CHUNK.timeMicros]: 4,
  [CHUNK.protocolType]: 1,
  [CHUNK.captureId]: 4,
  [CHUNK.keepAliveTimer]: 2,
};

/** AF_INET and AF_INET6 as HEP agents write them (the Linux values). */
export const AF_INET = 2;
export const AF_INET6 = 10;

/** A correlation id longer than this is not a Call-ID we could use; it is clipped. */
const MAX_CORRELATION_ID = 512;

/** Decodes one HEP packet (v3, or v2/v1 by their first byte). Never throws. */
export function decodeHep(buf: Buffer, opts: HepDecodeOptions = {}): HepDecodeResult {
  if (buf.length >= 4 && buf[0] === 0x48 && buf.subarray(0, 4).equals(HEP3_MAGIC)) return decodeHep3(buf, opts);
  if (buf.length >= 1 && (buf[0] === 1 || buf[0] === 2)) {
    if (opts.authKey !== undefined) return refuse('auth-failed', 'HEP v1/v2 carries no authentication key');
    return decodeHepV2(buf);
  }
  return buf.length < HEP3_HEADER_BYTES ? refuse('too-short', `${buf.length} bytes`) : refuse('not-hep', `first byte 0x${buf[0]!.toString(16)}`);
}

function decodeHep3(buf: Buffer, opts: HepDecodeOptions): HepDecodeResult {
  if (buf.length < HEP3_HEADER_BYTES) return refuse('too-short', `${buf.length} bytes`);
  const total = buf.readUInt16BE(4);
  if (total !== buf.length) return refuse('bad-length', `header says ${total} bytes, received ${buf.length}`);

  // value offsets of the generic chunks seen (one slot per type id 1..17), -1 when absent
  const at = new Int32Array(CHUNK.correlationId + 1).fill(-1);
  const len = new Int32Array(CHUNK.correlationId + 1);
  for (let o = HEP3_HEADER_BYTES; o < total; ) {
    if (total - o < CHUNK_HEADER_BYTES) return refuse('chunk-header', `${total - o} bytes left at offset ${o}`);
    const vendor = buf.readUInt16BE(o);
    const type = buf.readUInt16BE(o + 2);
    const length = buf.readUInt16BE(o + 4);
    if (length < CHUNK_HEADER_BYTES || length > total - o) return refuse('chunk-length', `chunk 0x${type.toString(16)} at offset ${o} claims ${length} bytes, ${total - o} left`);
    if (vendor === 0 && type >= 1 && type < at.length) {
      const valueLength = length - CHUNK_HEADER_BYTES;
      const fixed = FIXED_SIZE[type];
      if (fixed !== undefined && valueLength !== fixed) return refuse('chunk-size', `chunk 0x${type.toString(16)} has ${valueLength} value bytes, expected ${fixed}`);
      if (at[type] !== -1) return refuse('duplicate-chunk', `chunk 0x${type.toString(16)} repeated`);
      at[type] = o + CHUNK_HEADER_BYTES;
      len[type] = valueLength;
    }
    o += length;
  }

  if (at[CHUNK.ipFamily] === -1) return refuse('missing-chunk', 'IP family (0x0001)');
  const familyCode = buf[at[CHUNK.ipFamily]!]!;
  if (familyCode !== AF_INET && familyCode !== AF_INET6) return refuse('bad-value', `IP family ${familyCode}`);
  const family: IpFamily = familyCode === AF_INET ? 'ipv4' : 'ipv6';
  const [srcType, dstType, other] = family === 'ipv4' ? [CHUNK.ipv4Src, CHUNK.ipv4Dst, CHUNK.ipv6Src] : [CHUNK.ipv6Src, CHUNK.ipv6Dst, CHUNK.ipv4Src];
  if (at[srcType] === -1 || at[dstType] === -1) {
    return at[other] !== -1 ? refuse('family-mismatch', `family ${family} with addresses of the other family`) : refuse('missing-chunk', 'source or destination address');
  }
  for (const required of [CHUNK.ipProtocol, CHUNK.srcPort, CHUNK.dstPort, CHUNK.protocolType] as const) {
    if (at[required] === -1) return refuse('missing-chunk', `chunk 0x${required.toString(16)}`);
  }
  const plain = at[CHUNK.payload]!;
  const packed = at[CHUNK.compressedPayload]!;
  if (plain === -1 && packed === -1) return refuse('missing-chunk', 'payload (0x000f or 0x0010)');
  if (plain !== -1 && packed !== -1) return refuse('duplicate-chunk', 'both a payload and a compressed payload');

  if (opts.authKey !== undefined) {
    const keyAt = at[CHUNK.authKey]!;
    if (keyAt === -1) return refuse('auth-failed', 'no authentication key');
    if (!sameKey(buf.subarray(keyAt, keyAt + len[CHUNK.authKey]!), opts.authKey)) return refuse('auth-failed', 'authentication key mismatch');
  }

  const addr = family === 'ipv4' ? ipv4At : ipv6At;
  const packet: HepPacket = {
    version: 3,
    family,
    ipProtocol: buf[at[CHUNK.ipProtocol]!]!,
    src: { ip: addr(buf, at[srcType]!), port: buf.readUInt16BE(at[CHUNK.srcPort]!) },
    dst: { ip: addr(buf, at[dstType]!), port: buf.readUInt16BE(at[CHUNK.dstPort]!) },
    protocolType: buf[at[CHUNK.protocolType]!]!,
    payload: buf.subarray(plain, plain + len[CHUNK.payload]!),
    compressed: packed !== -1,
  };

  const secondsAt = at[CHUNK.timeSeconds]!;
  const microsAt = at[CHUNK.timeMicros]!;
  if (secondsAt !== -1) {
    const micros = microsAt === -1 ? 0 : buf.readUInt32BE(microsAt);
    if (micros >= 1_000_000) return refuse('bad-value', `microseconds ${micros}`);
    packet.timeMs = buf.readUInt32BE(secondsAt) * 1000 + micros / 1000;
  } else if (microsAt !== -1) return refuse('missing-chunk', 'microseconds without seconds');

  if (at[CHUNK.captureId] !== -1) packet.captureId = buf.readUInt32BE(at[CHUNK.captureId]!);
  if (at[CHUNK.correlationId] !== -1) {
    const idLength = Math.min(len[CHUNK.correlationId]!, MAX_CORRELATION_ID);
    const id = buf.toString('utf8', at[CHUNK.correlationId]!, at[CHUNK.correlationId]! + idLength);
    if (id.length > 0) packet.correlationId = id;
  }

  if (packed !== -1) {
    const inflated = inflate(buf.subarray(packed, packed + len[CHUNK.compressedPayload]!), opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED);
    if (!inflated.ok) return inflated;
    packet.payload = inflated.bytes;
  }
  return { ok: true, packet };
}

/** Compares in constant time, so the key cannot be guessed byte by byte from response timing. */
function sameKey(received: Buffer, configured: string): boolean {
  const expected = Buffer.from(configured, 'utf8');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** gzip or zlib (unzip tells them apart by their header), bounded so a small bomb cannot fill memory. */
function inflate(bytes: Buffer, max: number): { ok: true; bytes: Buffer } | ReturnType<typeof refuse> {
  try {
    return { ok: true, bytes: unzipSync(bytes, { maxOutputLength: max }) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return code === 'ERR_BUFFER_TOO_LARGE' ? refuse('decompress-oversized', `inflates beyond ${max} bytes`) : refuse('decompress-failed', String((err as Error).message).slice(0, 200));
  }
}
