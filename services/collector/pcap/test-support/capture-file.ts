// Write small pcap / pcapng files for reader tests (into a temporary directory, never the repo).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FramePacket {
  timeMs: number;
  data: Buffer;
  interfaceId?: number;
}

let dir: string | undefined;
let count = 0;

/** Write bytes to a fresh file in this process's temporary directory. */
export function tempFile(name: string, bytes: Buffer): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'callsentry-pcap-'));
  const file = path.join(dir, `${count++}-${name}`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Remove everything tempFile wrote (call from afterAll). */
export function removeTempFiles(): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

export function pcapBytes(packets: FramePacket[], opts: { linkType?: number; littleEndian?: boolean; nano?: boolean } = {}): Buffer {
  const le = opts.littleEndian ?? true;
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const header = Buffer.alloc(24);
  w32(header, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(header, 2, 4);
  w16(header, 4, 6);
  w32(header, 262144, 16);
  w32(header, opts.linkType ?? 1, 20);
  const records = packets.map((p) => {
    const r = Buffer.alloc(16);
    const seconds = Math.floor(p.timeMs / 1000);
    const fraction = Math.round((p.timeMs - seconds * 1000) * (opts.nano ? 1e6 : 1e3));
    w32(r, seconds, 0);
    w32(r, fraction, 4);
    w32(r, p.data.length, 8);
    w32(r, p.data.length, 12);
    return Buffer.concat([r, p.data]);
  });
  return Buffer.concat([header, ...records]);
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}

export class PcapngBuilder {
  private readonly blocks: Buffer[] = [];
  constructor(private readonly le = true) {}

  private u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  }

  private u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }

  block(type: number, body: Buffer): this {
    const padded = pad4(body);
    const total = padded.length + 12;
    this.blocks.push(Buffer.concat([this.u32(type), this.u32(total), padded, this.u32(total)]));
    return this;
  }

  section(): this {
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), Buffer.alloc(8, 0xff)]));
  }

  /** tsresol: the if_tsresol option byte, e.g. 6 (µs, the default), 9 (ns), 0x80 | 10 (2^-10 s) */
  interface(linkType: number, tsresol?: number): this {
    const options =
      tsresol === undefined ? Buffer.alloc(0) : Buffer.concat([this.u16(9), this.u16(1), Buffer.from([tsresol, 0, 0, 0]), this.u16(0), this.u16(0)]);
    return this.block(1, Buffer.concat([this.u16(linkType), this.u16(0), this.u32(262144), options]));
  }

  /** timestamp in interface units */
  enhanced(interfaceId: number, units: bigint, data: Buffer): this {
    const high = Number(units >> 32n);
    const low = Number(units & 0xffffffffn);
    return this.block(6, Buffer.concat([this.u32(interfaceId), this.u32(high), this.u32(low), this.u32(data.length), this.u32(data.length), pad4(data)]));
  }

  simple(data: Buffer): this {
    return this.block(3, Buffer.concat([this.u32(data.length), pad4(data)]));
  }

  bytes(): Buffer {
    return Buffer.concat(this.blocks);
  }
}
