// Build packets byte by byte for decoder and pipeline tests.

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

export function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function tcp(srcPort: number, dstPort: number, seq: number, flags: number, payload: Buffer, ack = 0): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export function ipv4(protocol: number, src: string, dst: string, payload: Buffer, frag: { id?: number; offset?: number; more?: boolean } = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(frag.id ?? 1, 4);
  h.writeUInt16BE((frag.more ? 0x2000 : 0) | ((frag.offset ?? 0) / 8), 6);
  h[8] = 64;
  h[9] = protocol;
  Buffer.from(ipv4Bytes(src)).copy(h, 12);
  Buffer.from(ipv4Bytes(dst)).copy(h, 16);
  return Buffer.concat([h, payload]);
}

/**
 * IPv6 with extension headers given as [type, bytes after the next-header byte] (see hopByHop,
 * fragmentHeader): each extension is chained to the next one, the last to `protocol`.
 */
export function ipv6(protocol: number, src: Buffer, dst: Buffer, payload: Buffer, extensions: Array<[number, Buffer]> = []): Buffer {
  const types = [...extensions.map((e) => e[0]), protocol];
  const ext = extensions.map(([, rest], i) => Buffer.concat([Buffer.from([types[i + 1]!]), rest]));
  const body = Buffer.concat([...ext, payload]);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(body.length, 4);
  h[6] = types[0]!;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return Buffer.concat([h, body]);
}

/** Hop-by-hop options (type 0) with only padding: 8 bytes in all. */
export const hopByHop = (): [number, Buffer] => [0, Buffer.from([0, 1, 4, 0, 0, 0, 0])];

export function fragmentHeader(offset: number, more: boolean, id: number): [number, Buffer] {
  const b = Buffer.alloc(7);
  b.writeUInt16BE(offset | (more ? 1 : 0), 1);
  b.writeUInt32BE(id, 3);
  return [44, b];
}

export function ethernet(etherType: number, payload: Buffer, vlans: number[] = []): Buffer {
  const macs = Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
  const tags = vlans.map((id) => Buffer.from([0x81, 0x00, id >> 8, id & 0xff]));
  // each tag is TPID 0x8100 + TCI; the final EtherType follows the last tag
  const typeBytes = Buffer.alloc(2);
  typeBytes.writeUInt16BE(etherType);
  return Buffer.concat([macs, ...tags, typeBytes, payload]);
}

export function sll(protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

export function sll2(protocol: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  return Buffer.concat([h, payload]);
}

export function gre(protocol: number, payload: Buffer, opts: { key?: boolean; seq?: boolean } = {}): Buffer {
  const flags = (opts.key ? 0x2000 : 0) | (opts.seq ? 0x1000 : 0);
  const h = Buffer.alloc(4 + (opts.key ? 4 : 0) + (opts.seq ? 4 : 0));
  h.writeUInt16BE(flags, 0);
  h.writeUInt16BE(protocol, 2);
  return Buffer.concat([h, payload]);
}

export function sctpData(srcPort: number, dstPort: number, chunks: Array<{ tsn: number; begin: boolean; end: boolean; data: Buffer }>): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  const parts = chunks.map((c) => {
    const len = 16 + c.data.length;
    const chunk = Buffer.alloc((len + 3) & ~3);
    chunk[0] = 0;
    chunk[1] = (c.begin ? 2 : 0) | (c.end ? 1 : 0);
    chunk.writeUInt16BE(len, 2);
    chunk.writeUInt32BE(c.tsn, 4);
    c.data.copy(chunk, 16);
    return chunk;
  });
  return Buffer.concat([h, ...parts]);
}

/** An RTP packet with a 12-byte header and `size` payload bytes. */
export function rtp(pt: number, seq: number, timestamp: number, ssrc: number, size = 160, marker = false): Buffer {
  const b = Buffer.alloc(12 + size);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(timestamp >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}
