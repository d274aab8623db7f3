// Capture files as an async stream of packets: classic pcap (either byte order, micro- or
// nanosecond timestamps) and pcapng (sections, per-interface link type and timestamp resolution,
// enhanced/simple/obsolete packet blocks; any other block is skipped). Lengths are checked before
// anything is read, so a corrupt file ends with a CaptureError at a known offset.
import { CaptureError } from './capture-error';
import { FileBytes } from './file-bytes';

export interface CapturedPacket {
  /** epoch milliseconds, fractional */
  timeMs: number;
  /** LINKTYPE_* of the interface */
  linkType: number;
  /** captured bytes: a view into a read chunk; copy it to keep it, or the whole chunk stays alive */
  data: Buffer;
  /** length on the wire (data may be shorter when the snap length cut it) */
  originalLength: number;
}

export interface ReaderStats {
  format?: 'pcap' | 'pcapng';
  packets: number;
  /** pcapng blocks that carry no packet (name resolution, statistics, custom ...) */
  skippedBlocks: number;
  /** the last record was cut short: common when a capture is stopped abruptly */
  truncatedTail: boolean;
  bytesRead: number;
  totalBytes: number;
}

export interface ReadOptions {
  /** a record larger than this is corruption (pcap's own maximum snap length is 256 KiB) */
  maxPacketBytes?: number;
  /** a pcapng block larger than this is corruption */
  maxBlockBytes?: number;
  /** accept a file whose last record is cut short, and say so in stats. Default true. */
  allowTruncatedTail?: boolean;
  stats?: ReaderStats;
}

export function createReaderStats(): ReaderStats {
  return { packets: 0, skippedBlocks: 0, truncatedTail: false, bytesRead: 0, totalBytes: 0 };
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

interface Ctx {
  bytes: FileBytes;
  path: string;
  stats: ReaderStats;
  maxPacket: number;
  maxBlock: number;
  allowTruncatedTail: boolean;
}

/**
 * Read `n` bytes. At a record boundary, an empty rest of file is the clean end (undefined).
 * Anywhere else, or when only part of the bytes exist, the file is truncated: a cut last record is
 * tolerated (undefined, flagged in stats) when allowTruncatedTail is set, else it is an error.
 */
async function need(ctx: Ctx, n: number, what: string, boundary = false): Promise<Buffer | undefined> {
  if (!ctx.bytes.has(n)) {
    const have = await ctx.bytes.fill(n);
    if (have === 0 && boundary) return undefined;
    if (have < n) {
      if (ctx.allowTruncatedTail && ctx.stats.packets > 0) {
        ctx.stats.truncatedTail = true;
        return undefined;
      }
      throw new CaptureError('truncated', `${what} needs ${n} bytes, ${have} left`, ctx.bytes.offset, ctx.path);
    }
  }
  return ctx.bytes.take(n);
}

export async function* readPackets(path: string, options: ReadOptions = {}): AsyncGenerator<CapturedPacket> {
  let bytes: FileBytes;
  try {
    bytes = await FileBytes.open(path);
  } catch (err) {
    throw new CaptureError('io', (err as Error).message, 0, path, { cause: err });
  }
  const stats = options.stats ?? createReaderStats();
  stats.totalBytes = bytes.size;
  const ctx: Ctx = {
    bytes,
    path,
    stats,
    maxPacket: options.maxPacketBytes ?? 262_144,
    maxBlock: options.maxBlockBytes ?? 16 * 1024 * 1024,
    allowTruncatedTail: options.allowTruncatedTail ?? true,
  };
  try {
    if ((await bytes.fill(4)) < 4) throw new CaptureError('not-a-capture', 'file shorter than a magic number', 0, path);
    const head = bytes.peek(4);
    const le = head.readUInt32LE(0);
    const be = head.readUInt32BE(0);
    if (le === PCAPNG_SHB) {
      stats.format = 'pcapng';
      yield* readPcapng(ctx);
    } else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      stats.format = 'pcap';
      const littleEndian = le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS;
      yield* readPcap(ctx, littleEndian, (littleEndian ? le : be) === PCAP_MAGIC_NS);
    } else {
      throw new CaptureError('not-a-capture', `unknown magic 0x${be.toString(16).padStart(8, '0')}`, 0, path);
    }
  } finally {
    stats.bytesRead = bytes.offset;
    await bytes.close();
  }
}

async function* readPcap(ctx: Ctx, le: boolean, nano: boolean): AsyncGenerator<CapturedPacket> {
  const header = await need(ctx, 24, 'pcap file header');
  if (!header) throw new CaptureError('truncated', 'pcap file header missing', 0, ctx.path);
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  // the FCS length lives in the top bits of the link-type field (pcap-savefile(5))
  const linkType = u32(header, 20) & 0x0fffffff;
  const fraction = nano ? 1e-6 : 1e-3; // ns or µs to ms
  for (;;) {
    const record = await need(ctx, 16, 'pcap record header', true);
    if (!record) return;
    const seconds = u32(record, 0);
    const sub = u32(record, 4);
    const capLen = u32(record, 8);
    const origLen = u32(record, 12);
    if (capLen > ctx.maxPacket || sub >= (nano ? 1e9 : 1e6)) {
      throw new CaptureError('corrupt', `record with capture length ${capLen}, sub-second ${sub}`, ctx.bytes.offset - 16, ctx.path);
    }
    const data = await need(ctx, capLen, 'pcap record');
    if (!data) return;
    ctx.stats.packets++;
    ctx.stats.bytesRead = ctx.bytes.offset;
    yield { timeMs: seconds * 1000 + sub * fraction, linkType, data, originalLength: origLen };
  }
}

interface Interface {
  linkType: number;
  snapLen: number;
  /** timestamp units per millisecond */
  unitsPerMs: number;
  offsetMs: number;
}

function tsResolution(value: number): number {
  // if_tsresol: MSB clear = negative power of 10, set = negative power of 2 (units per second)
  const exp = value & 0x7f;
  return (value & 0x80 ? 2 ** exp : 10 ** exp) / 1000;
}

function parseInterface(body: Buffer, le: boolean): Interface {
  const u16 = (o: number) => (le ? body.readUInt16LE(o) : body.readUInt16BE(o));
  const iface: Interface = {
    linkType: u16(0),
    snapLen: le ? body.readUInt32LE(4) : body.readUInt32BE(4),
    unitsPerMs: 1000, // default resolution: microseconds
    offsetMs: 0,
  };
  let o = 8;
  while (o + 4 <= body.length) {
    const code = u16(o);
    const len = u16(o + 2);
    const value = o + 4;
    if (code === 0 || value + len > body.length) break; // opt_endofopt or a cut option
    if (code === 9 && len >= 1) iface.unitsPerMs = tsResolution(body[value]!);
    else if (code === 14 && len >= 8) {
      const hi = le ? body.readInt32LE(value + 4) : body.readInt32BE(value);
      const lo = le ? body.readUInt32LE(value) : body.readUInt32BE(value + 4);
      iface.offsetMs = (hi * 4294967296 + lo) * 1000;
    }
    o = value + ((len + 3) & ~3);
  }
  return iface;
}

async function* readPcapng(ctx: Ctx): AsyncGenerator<CapturedPacket> {
  let le = true;
  let interfaces: Interface[] = [];
  for (;;) {
    const blockStart = ctx.bytes.offset;
    const head = await need(ctx, 8, 'pcapng block header', true);
    if (!head) return;
    if (head.readUInt32LE(0) === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how to read everything in it, this length too.
      // (The block type itself reads the same in both byte orders.)
      const bom = await need(ctx, 4, 'pcapng byte-order magic');
      if (!bom) return;
      const magic = bom.readUInt32LE(0);
      if (magic === PCAPNG_BYTE_ORDER) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else throw new CaptureError('corrupt', 'section header with an unknown byte-order magic', blockStart, ctx.path);
      const total = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      checkBlockLength(ctx, total, 28, blockStart);
      if (!(await skipRest(ctx, total - 12, 'pcapng section header'))) return;
      interfaces = [];
      continue;
    }
    const type = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
    const total = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    checkBlockLength(ctx, total, 12, blockStart);
    const bodyLength = total - 12;
    if (type !== 1 && type !== 2 && type !== 3 && type !== 6) {
      ctx.stats.skippedBlocks++;
      if (!(await skipRest(ctx, bodyLength + 4, 'pcapng block'))) return;
      continue;
    }
    const block = await need(ctx, bodyLength + 4, 'pcapng block');
    if (!block) return;
    const trailer = le ? block.readUInt32LE(bodyLength) : block.readUInt32BE(bodyLength);
    if (trailer !== total) throw new CaptureError('corrupt', `block length ${total} but trailer ${trailer}`, blockStart, ctx.path);
    const body = block.subarray(0, bodyLength);
    const u32 = (o: number) => (le ? body.readUInt32LE(o) : body.readUInt32BE(o));
    if (type === 1) {
      if (bodyLength < 8) throw new CaptureError('corrupt', 'interface block too short', blockStart, ctx.path);
      interfaces.push(parseInterface(body, le));
      continue;
    }
    let ifaceId = 0;
    let high = 0;
    let low = 0;
    let capLen: number;
    let origLen: number;
    let dataOffset: number;
    if (type === 3) {
      // simple packet block: interface 0, no timestamp
      if (bodyLength < 4) throw new CaptureError('corrupt', 'simple packet block too short', blockStart, ctx.path);
      origLen = u32(0);
      capLen = Math.min(origLen, bodyLength - 4, interfaces[0]?.snapLen || Infinity);
      dataOffset = 4;
    } else {
      if (bodyLength < 20) throw new CaptureError('corrupt', 'packet block too short', blockStart, ctx.path);
      ifaceId = type === 2 ? (le ? body.readUInt16LE(0) : body.readUInt16BE(0)) : u32(0);
      high = u32(4);
      low = u32(8);
      capLen = u32(12);
      origLen = u32(16);
      dataOffset = 20;
    }
    const iface = interfaces[ifaceId];
    if (!iface) throw new CaptureError('corrupt', `packet for undeclared interface ${ifaceId}`, blockStart, ctx.path);
    if (capLen > ctx.maxPacket || dataOffset + capLen > bodyLength) {
      throw new CaptureError('corrupt', `packet of ${capLen} bytes in a block of ${bodyLength}`, blockStart, ctx.path);
    }
    ctx.stats.packets++;
    ctx.stats.bytesRead = ctx.bytes.offset;
    const timeMs = type === 3 ? 0 : (high * 4294967296 + low) / iface.unitsPerMs + iface.offsetMs;
    yield { timeMs, linkType: iface.linkType, data: body.subarray(dataOffset, dataOffset + capLen), originalLength: origLen };
  }
}

function checkBlockLength(ctx: Ctx, total: number, min: number, at: number): void {
  if (total < min || total % 4 !== 0 || total > ctx.maxBlock) {
    throw new CaptureError('corrupt', `impossible block length ${total}`, at, ctx.path);
  }
}

async function skipRest(ctx: Ctx, n: number, what: string): Promise<boolean> {
  if (ctx.bytes.skip(n)) return true;
  if (ctx.allowTruncatedTail && ctx.stats.packets > 0) {
    ctx.stats.truncatedTail = true;
    return false;
  }
  throw new CaptureError('truncated', `${what} runs past the end of the file`, ctx.bytes.offset, ctx.path);
}
