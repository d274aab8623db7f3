// TLS cannot be decrypted here, but its record layer is in the clear: count records per content
// type, and read the negotiated version from the ServerHello (supported_versions for TLS 1.3).
// Without a handshake in the capture, the record-layer version of application data still tells
// TLS 1.0 and 1.1 apart; 0x0303 there may be 1.2 or 1.3, so it tells nothing.

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const MAX_RECORD = 16384 + 2048;
const SERVER_HELLO = 2;
const SUPPORTED_VERSIONS = 43;

export function tlsVersionName(v: number): string | undefined {
  switch (v) {
    case 0x0300:
      return 'ssl3';
    case 0x0301:
      return '1.0';
    case 0x0302:
      return '1.1';
    case 0x0303:
      return '1.2';
    case 0x0304:
      return '1.3';
    default:
      return undefined;
  }
}

/** True when `b` starts with something a TLS record header could be. */
export function looksLikeTls(b: Buffer): boolean {
  return b.length >= 5 && b[0]! >= CHANGE_CIPHER_SPEC && b[0]! <= 24 && b[1] === 3 && b[2]! <= 4 && b.readUInt16BE(3) <= MAX_RECORD;
}

/** The negotiated version in a ServerHello handshake message, if this is one. */
export function serverHelloVersion(h: Buffer): number | undefined {
  if (h.length < 4 || h[0] !== SERVER_HELLO) return undefined;
  const end = Math.min(h.length, 4 + ((h[1]! << 16) | (h[2]! << 8) | h[3]!));
  let o = 4;
  if (end < o + 2 + 32 + 1) return undefined;
  const legacy = h.readUInt16BE(o);
  o += 2 + 32;
  o += 1 + h[o]!; // session id
  o += 2 + 1; // cipher suite, compression method
  if (end < o + 2) return legacy;
  const extEnd = Math.min(end, o + 2 + h.readUInt16BE(o));
  o += 2;
  while (o + 4 <= extEnd) {
    const type = h.readUInt16BE(o);
    const len = h.readUInt16BE(o + 2);
    if (type === SUPPORTED_VERSIONS && len === 2 && o + 6 <= extEnd) return h.readUInt16BE(o + 4);
    o += 4 + len;
  }
  return legacy;
}

export interface TlsRecordEvents {
  record(contentType: number, version: number, timeMs: number): void;
  serverHello(version: number, timeMs: number): void;
}

/** Walks the records of one direction. Only a first handshake record is ever buffered. */
export class TlsRecordReader {
  private header = Buffer.alloc(0);
  private skipping = 0;
  private collecting: Buffer[] | undefined;
  private collected = 0;
  private wanted = 0;
  private sawHandshake = false;
  private failed = false;

  constructor(private readonly events: TlsRecordEvents) {}

  /** Returns false once the stream stops looking like TLS. */
  push(data: Buffer, timeMs: number): boolean {
    let o = 0;
    while (o < data.length && !this.failed) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, data.length - o);
        if (this.collecting) {
          this.collecting.push(Buffer.from(data.subarray(o, o + n)));
          this.collected += n;
        }
        this.skipping -= n;
        o += n;
        if (this.skipping === 0 && this.collecting) {
          const hello = serverHelloVersion(Buffer.concat(this.collecting, this.collected));
          if (hello !== undefined) this.events.serverHello(hello, timeMs);
          this.collecting = undefined;
        }
        continue;
      }
      const need = 5 - this.header.length;
      const take = data.subarray(o, o + need);
      this.header = this.header.length === 0 ? Buffer.from(take) : Buffer.concat([this.header, take]);
      o += take.length;
      if (this.header.length < 5) break;
      if (!looksLikeTls(this.header)) {
        this.failed = true;
        break;
      }
      const type = this.header[0]!;
      const version = this.header.readUInt16BE(1);
      this.skipping = this.wanted = this.header.readUInt16BE(3);
      this.header = Buffer.alloc(0);
      this.events.record(type, version, timeMs);
      if (type === HANDSHAKE && !this.sawHandshake) {
        // the first handshake record of a direction is the only one that can hold a ServerHello
        this.sawHandshake = true;
        this.collecting = [];
        this.collected = 0;
      }
      if (this.wanted === 0 && this.collecting) this.collecting = undefined;
    }
    return !this.failed;
  }
}

export const TLS_CONTENT = { CHANGE_CIPHER_SPEC, ALERT, HANDSHAKE, APPLICATION_DATA } as const;
