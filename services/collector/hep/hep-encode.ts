// HEP v3 encoder, for tests and the benchmark (a capture agent's side of the wire). Written from
// the HEP3 specification, independently of the decoder, and checked against literal bytes in
// hep-encode.test.ts: a decoder tested only with its own encoder would share its mistakes.
//   header: "HEP3", total length u16
//   chunk:  vendor id u16 (0 = generic), type id u16, length u16 (including these 6 bytes), value
// All integers big-endian.
import { isIPv4, isIPv6 } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface HepEncodeFields {
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  /** IP protocol of the captured packet. Default 17 (UDP). */
  ipProtocol?: number;
  /** capture time; seconds and microseconds chunks are written from it */
  timeMs?: number;
  /** 1 SIP, 5 RTCP ... */
  protocolType: number;
  captureId?: number;
  authKey?: string;
  correlationId?: string;
  payload: Buffer | string;
  /** send the payload gzip-compressed in chunk 0x0010 instead of 0x000f */
  compress?: boolean;
  /** appended after the generic chunks (vendor chunks, unknown types) */
  extraChunks?: Array<{ vendor: number; type: number; value: Buffer }>;
}

function chunk(vendor: number, type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16BE(vendor, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt16BE(6 + value.length, 4);
  return Buffer.concat([header, value]);
}

const u8 = (n: number): Buffer => Buffer.from([n & 0xff]);
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export function encodeHep3(f: HepEncodeFields): Buffer {
  const v6 = isIPv6(f.src.ip);
  if (v6 !== isIPv6(f.dst.ip) || (!v6 && !(isIPv4(f.src.ip) && isIPv4(f.dst.ip)))) throw new Error('source and destination must be IPv4 or IPv6 alike');
  const chunks = [
    chunk(0, 0x0001, u8(v6 ? 10 : 2)),
    chunk(0, 0x0002, u8(f.ipProtocol ?? 17)),
    chunk(0, v6 ? 0x0005 : 0x0003, addressBytes(f.src.ip)),
    chunk(0, v6 ? 0x0006 : 0x0004, addressBytes(f.dst.ip)),
    chunk(0, 0x0007, u16(f.src.port)),
    chunk(0, 0x0008, u16(f.dst.port)),
  ];
  if (f.timeMs !== undefined) {
    const seconds = Math.floor(f.timeMs / 1000);
    chunks.push(chunk(0, 0x0009, u32(seconds)), chunk(0, 0x000a, u32(Math.round((f.timeMs - seconds * 1000) * 1000))));
  }
  chunks.push(chunk(0, 0x000b, u8(f.protocolType)));
  if (f.captureId !== undefined) chunks.push(chunk(0, 0x000c, u32(f.captureId)));
  if (f.authKey !== undefined) chunks.push(chunk(0, 0x000e, Buffer.from(f.authKey, 'utf8')));
  if (f.correlationId !== undefined) chunks.push(chunk(0, 0x0011, Buffer.from(f.correlationId, 'utf8')));
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload, 'utf8') : f.payload;
  chunks.push(f.compress ? chunk(0, 0x0010, gzipSync(payload)) : chunk(0, 0x000f, payload));
  for (const c of f.extraChunks ?? []) chunks.push(chunk(c.vendor, c.type, c.value));

  const total = 6 + chunks.reduce((n, c) => n + c.length, 0);
  if (total > 0xffff) throw new Error(`HEP3 message of ${total} bytes exceeds 65535`);
  const header = Buffer.alloc(6);
  header.write('HEP3', 0, 'latin1');
  header.writeUInt16BE(total, 4);
  return Buffer.concat([header, ...chunks], total);
}

/** 4 or 16 network-order bytes of a textual address (IPv6 with "::" and a dotted IPv4 tail). */
export function addressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  let text = ip.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -dotted[1]!.length) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}
