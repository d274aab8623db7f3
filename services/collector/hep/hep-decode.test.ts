import { gzipSync } from 'node:zlib';
import { decodeHep } from './hep-decode';
import { encodeHep3 } from './hep-encode';
import { HEP_REJECTS } from './hep-packet';
import { HEP2_VECTOR, HEP3_VECTOR, HEP3_VECTOR_FIELDS } from './test-support/hep-vectors';

/** A chunk written by hand: vendor, type, length (header included), value. */
function chunk(type: number, value: number[] | Buffer, vendor = 0, length?: number): Buffer {
  const v = Buffer.from(value);
  const h = Buffer.alloc(6);
  h.writeUInt16BE(vendor, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt16BE(length ?? 6 + v.length, 4);
  return Buffer.concat([h, v]);
}
function packet(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  const h = Buffer.from('HEP3\0\0', 'latin1');
  h.writeUInt16BE(6 + body.length, 4);
  return Buffer.concat([h, body]);
}
const FAMILY4 = chunk(1, [2]);
const PROTO = chunk(2, [17]);
const SRC4 = chunk(3, [10, 0, 0, 1]);
const DST4 = chunk(4, [10, 0, 0, 2]);
const PORTS = [chunk(7, [0x13, 0xc4]), chunk(8, [0x13, 0xc4])];
const TYPE = chunk(0x0b, [1]);
const PAYLOAD = chunk(0x0f, Buffer.from('SIP'));
const minimal = (...extra: Buffer[]) => packet(FAMILY4, PROTO, SRC4, DST4, ...PORTS, TYPE, ...extra, PAYLOAD);
/** The vector with `bytes` written at `offset` */
function patched(offset: number, bytes: number[]): Buffer {
  const b = Buffer.from(HEP3_VECTOR);
  Buffer.from(bytes).copy(b, offset);
  return b;
}
const reasonOf = (b: Buffer, authKey?: string) => {
  const r = decodeHep(b, authKey === undefined ? {} : { authKey });
  return r.ok ? 'ok' : r.reason;
};

describe('decodeHep: HEP v3', () => {
  it('decodes every generic chunk of the hand-built vector', () => {
    const r = decodeHep(HEP3_VECTOR);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect({ ...r.packet, payload: r.packet.payload.toString() }).toEqual({
      version: 3,
      family: 'ipv4',
      ipProtocol: 17,
      src: { ip: '10.0.0.1', port: 5060 },
      dst: { ip: '10.0.0.2', port: 5080 },
      timeMs: 1_700_000_000_123.456,
      protocolType: 1,
      captureId: 2001,
      correlationId: 'c1',
      payload: 'SIP',
      compressed: false,
    });
  });

  it('decodes IPv6, skips vendor chunks and unknown generic chunks, and has no time without 0x0009', () => {
    const b = packet(chunk(1, [10]), PROTO, chunk(5, [0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 1]), chunk(6, [...new Array(15).fill(0), 1]), ...PORTS, chunk(0x0d, [0, 30]), chunk(0x0b, [1]), chunk(0x0f, [0x41]), chunk(0x0020, [1, 2, 3]), chunk(0x0001, [9, 9], 0x0002));
    const r = decodeHep(b);
    expect(r.ok && [r.packet.src.ip, r.packet.dst.ip, r.packet.family, r.packet.timeMs]).toEqual(['2001:db8::1', '::1', 'ipv6', undefined]);
  });

  it('checks the authentication key when one is configured', () => {
    expect(reasonOf(HEP3_VECTOR, 'k')).toBe('ok');
    expect(reasonOf(HEP3_VECTOR, 'K')).toBe('auth-failed');
    expect(reasonOf(HEP3_VECTOR, 'kk')).toBe('auth-failed');
    expect(reasonOf(minimal(), 'k')).toBe('auth-failed');
    expect(reasonOf(HEP2_VECTOR, 'k')).toBe('auth-failed');
  });

  it('inflates a compressed payload within the limit', () => {
    const b = minimal().subarray(0, -9); // drop the plain payload chunk
    const ok = packet(b.subarray(6), chunk(0x10, gzipSync(Buffer.from('INVITE'))));
    expect(decodeHep(ok).ok && (decodeHep(ok) as { packet: { payload: Buffer } }).packet.payload.toString()).toBe('INVITE');
    expect(reasonOf(packet(b.subarray(6), chunk(0x10, gzipSync(Buffer.alloc(300_000)))))).toBe('decompress-oversized');
    expect(decodeHep(packet(b.subarray(6), chunk(0x10, gzipSync(Buffer.alloc(300_000)))), { maxInflatedBytes: 400_000 }).ok).toBe(true);
    expect(reasonOf(packet(b.subarray(6), chunk(0x10, Buffer.from('not gzip at all'))))).toBe('decompress-failed');
  });

  // offsets in HEP3_VECTOR: total length 4; family chunk 6; source address chunk 20 (length at 24);
  // microseconds value 72; payload chunk 108 (length at 112)
  it.each<[string, Buffer, string]>([
    ['empty', Buffer.alloc(0), 'too-short'],
    ['magic only', Buffer.from('HEP3'), 'too-short'],
    ['not HEP', Buffer.from('INVITE sip:x SIP/2.0'), 'not-hep'],
    ['total length larger than the datagram', patched(4, [0x00, 0x76]), 'bad-length'],
    ['total length smaller than the datagram', patched(4, [0x00, 0x74]), 'bad-length'],
    ['total length below the header', patched(4, [0x00, 0x05]), 'bad-length'],
    ['a chunk length of 5', patched(10, [0x00, 0x05]), 'chunk-length'],
    ['a chunk length of 0', patched(10, [0x00, 0x00]), 'chunk-length'],
    ['the last chunk running past the end', patched(112, [0x00, 0x0a]), 'chunk-length'],
    ['a chunk length that swallows the next header', patched(24, [0x00, 0x0b]), 'chunk-size'],
    ['3 trailing bytes after the last chunk', packet(FAMILY4, PROTO, SRC4, DST4, ...PORTS, TYPE, PAYLOAD, Buffer.from([0, 0, 0])), 'chunk-header'],
    ['an IPv4 address of 5 bytes', minimal(chunk(0x20, []), chunk(3, [1, 2, 3, 4, 5])), 'chunk-size'],
    ['an IPv6 address of 4 bytes', minimal(chunk(5, [1, 2, 3, 4])), 'chunk-size'],
    ['a port of 1 byte', packet(FAMILY4, PROTO, SRC4, DST4, chunk(7, [1]), PORTS[1]!, TYPE, PAYLOAD), 'chunk-size'],
    ['a capture id of 2 bytes (u32 in HEP3)', minimal(chunk(0x0c, [0, 1])), 'chunk-size'],
    ['a family of 2 bytes', packet(chunk(1, [0, 2]), PROTO, SRC4, DST4, ...PORTS, TYPE, PAYLOAD), 'chunk-size'],
    ['a duplicated source address', minimal(SRC4), 'duplicate-chunk'],
    ['a plain and a compressed payload', minimal(chunk(0x10, gzipSync(Buffer.from('x')))), 'duplicate-chunk'],
    ['no family', packet(PROTO, SRC4, DST4, ...PORTS, TYPE, PAYLOAD), 'missing-chunk'],
    ['family 3', packet(chunk(1, [3]), PROTO, SRC4, DST4, ...PORTS, TYPE, PAYLOAD), 'bad-value'],
    ['IPv6 family with IPv4 addresses', packet(chunk(1, [10]), PROTO, SRC4, DST4, ...PORTS, TYPE, PAYLOAD), 'family-mismatch'],
    ['no destination address', packet(FAMILY4, PROTO, SRC4, ...PORTS, TYPE, PAYLOAD), 'missing-chunk'],
    ['no ports', packet(FAMILY4, PROTO, SRC4, DST4, TYPE, PAYLOAD), 'missing-chunk'],
    ['no IP protocol', packet(FAMILY4, SRC4, DST4, ...PORTS, TYPE, PAYLOAD), 'missing-chunk'],
    ['no protocol type', packet(FAMILY4, PROTO, SRC4, DST4, ...PORTS, PAYLOAD), 'missing-chunk'],
    ['no payload', packet(FAMILY4, PROTO, SRC4, DST4, ...PORTS, TYPE), 'missing-chunk'],
    ['a million microseconds', patched(72, [0x00, 0x0f, 0x42, 0x40]), 'bad-value'],
    ['microseconds without seconds', minimal(chunk(0x0a, [0, 0, 0, 1])), 'missing-chunk'],
  ])('refuses %s', (_name, bytes, reason) => {
    expect(reasonOf(bytes)).toBe(reason);
  });

  it('refuses every truncation of a valid packet, and every truncation whose total length was fixed up to match', () => {
    for (let n = 0; n < HEP3_VECTOR.length; n++) {
      const cut = Buffer.from(HEP3_VECTOR.subarray(0, n));
      expect(reasonOf(cut)).not.toBe('ok');
      if (n >= 6) {
        cut.writeUInt16BE(n, 4);
        expect([n, reasonOf(cut)]).not.toEqual([n, 'ok']);
      }
    }
  });
});

describe('decodeHep: HEP v2', () => {
  it('decodes the Kamailio layout with its little-endian time header', () => {
    const r = decodeHep(HEP2_VECTOR);
    expect(r.ok && { ...r.packet, payload: r.packet.payload.toString() }).toEqual({
      version: 2,
      family: 'ipv4',
      ipProtocol: 17,
      src: { ip: '192.0.2.1', port: 5060 },
      dst: { ip: '192.0.2.2', port: 5060 },
      timeMs: 1_700_000_000_123.456,
      captureId: 2001,
      protocolType: 1,
      payload: 'SIP',
      compressed: false,
    });
  });

  it('refuses a header length that disagrees with the family, and a packet without payload', () => {
    const wrongLength = Buffer.from(HEP2_VECTOR);
    wrongLength[1] = 40;
    expect(reasonOf(wrongLength)).toBe('bad-length');
    expect(reasonOf(HEP2_VECTOR.subarray(0, 28))).toBe('too-short');
    expect(reasonOf(HEP2_VECTOR.subarray(0, 5))).toBe('too-short');
  });
});

describe('decodeHep: fuzz', () => {
  /** xorshift32: the same cases on every run, so a failure can be replayed */
  function rng(seed: number) {
    let s = seed >>> 0 || 1;
    return () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s / 0x100000000;
    };
  }

  it('never throws on 20,000 random and mutated packets, and always names a known reason', () => {
    const next = rng(0x4845_5033);
    const int = (n: number) => Math.floor(next() * n);
    const seeds = [HEP3_VECTOR, HEP2_VECTOR, encodeHep3({ ...HEP3_VECTOR_FIELDS, src: { ip: '2001:db8::5', port: 5060 }, dst: { ip: '2001:db8::6', port: 5060 }, compress: true, payload: 'REGISTER sip:x SIP/2.0\r\n\r\n' })];
    const reasons = new Set(Object.keys(HEP_REJECTS));
    const seen: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      let b: Buffer;
      const kind = i % 4;
      if (kind === 0) {
        b = Buffer.alloc(int(200));
        for (let j = 0; j < b.length; j++) b[j] = int(256);
        if (next() < 0.5 && b.length >= 6) b.write('HEP3', 0, 'latin1');
      } else {
        b = Buffer.from(seeds[int(seeds.length)]!);
        const flips = 1 + int(4);
        for (let f = 0; f < flips; f++) b[int(b.length)] = int(256);
        if (kind === 2) b = b.subarray(0, int(b.length + 1));
        if (kind === 3 && b.length >= 6) b.writeUInt16BE(b.length, 4); // keep the total honest, so the chunk checks are reached
      }
      const r = decodeHep(b, i % 7 === 0 ? { authKey: 'k' } : {});
      const key = r.ok ? 'ok' : r.reason;
      if (!r.ok) expect(reasons.has(r.reason)).toBe(true);
      seen[key] = (seen[key] ?? 0) + 1;
    }
    // the mutations reach deep into the chunk checks, not just the magic
    for (const reason of ['ok', 'chunk-length', 'chunk-size', 'bad-length', 'not-hep']) expect(seen[reason]).toBeGreaterThan(0);
  });
});
