// WebSocket frames (RFC 6455) after the HTTP upgrade: unmask, join fragmented messages, hand each
// complete text or binary message on. SIP over WebSocket (RFC 7118) puts exactly one SIP message
// in each WebSocket message. Compressed frames (permessage-deflate, RSV1) are counted, not read.

export interface WebSocketStats {
  frames: number;
  messages: number;
  /** messages dropped: compressed, or larger than the limit */
  dropped: number;
  /** streams abandoned on a framing error */
  errors: number;
}

export function createWebSocketStats(): WebSocketStats {
  return { frames: 0, messages: 0, dropped: 0, errors: 0 };
}

const OP_CONTINUATION = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;

export class WebSocketDecoder {
  private buf: Buffer = EMPTY;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private dropping = false;
  private failed = false;

  constructor(
    private readonly onMessage: (payload: Buffer) => void,
    private readonly stats: WebSocketStats,
    private readonly maxMessageBytes = 64 * 1024,
  ) {}

  /** Returns false once the stream is not WebSocket any more (it is then ignored). */
  push(data: Buffer): boolean {
    if (this.failed) return false;
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    let o = 0;
    for (;;) {
      const frame = this.frameAt(o);
      if (frame === undefined) break;
      if (frame === null) {
        this.failed = true;
        this.stats.errors++;
        this.buf = EMPTY;
        return false;
      }
      o = frame.end;
      this.onFrame(frame.fin, frame.opcode, frame.rsv1, frame.payload);
    }
    // keep the unfinished frame as a copy, not as a view that pins the capture chunk
    this.buf = o >= this.buf.length ? EMPTY : Buffer.from(this.buf.subarray(o));
    return true;
  }

  /** undefined: incomplete; null: not a valid frame */
  private frameAt(o: number): { fin: boolean; opcode: number; rsv1: boolean; payload: Buffer; end: number } | undefined | null {
    const b = this.buf;
    if (b.length - o < 2) return undefined;
    const b0 = b[o]!;
    const b1 = b[o + 1]!;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x30) !== 0 || (opcode > 2 && opcode < 8) || opcode > 10) return null; // RSV2/3, reserved opcodes
    let length = b1 & 0x7f;
    let p = o + 2;
    if (length === 126) {
      if (b.length - p < 2) return undefined;
      length = b.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      if (b.length - p < 8) return undefined;
      if (b.readUInt32BE(p) !== 0) return null; // over 4 GiB: not a SIP stream
      length = b.readUInt32BE(p + 4);
      p += 8;
    }
    if (length > this.maxMessageBytes * 4) return null;
    const masked = (b1 & 0x80) !== 0;
    const keyAt = p;
    if (masked) p += 4;
    if (b.length - p < length) return undefined;
    let payload = b.subarray(p, p + length);
    if (masked) {
      payload = Buffer.from(payload); // unmask a copy
      for (let i = 0; i < payload.length; i++) payload[i]! ^= b[keyAt + (i & 3)]!;
    }
    return { fin: (b0 & 0x80) !== 0, opcode, rsv1: (b0 & 0x40) !== 0, payload, end: p + length };
  }

  private onFrame(fin: boolean, opcode: number, rsv1: boolean, payload: Buffer): void {
    this.stats.frames++;
    if (opcode >= 8) return; // close, ping, pong
    if (opcode === OP_TEXT || opcode === OP_BINARY) {
      this.parts = [];
      this.partBytes = 0;
      this.dropping = rsv1;
    } else if (opcode !== OP_CONTINUATION) return;
    if (!this.dropping) {
      this.partBytes += payload.length;
      if (this.partBytes > this.maxMessageBytes) this.dropping = true;
      else this.parts.push(fin ? payload : Buffer.from(payload)); // a piece kept for later must not pin the capture chunk
    }
    if (!fin) return;
    if (this.dropping) this.stats.dropped++;
    else {
      this.stats.messages++;
      this.onMessage(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes));
    }
    this.parts = [];
    this.partBytes = 0;
    this.dropping = false;
  }
}

const EMPTY = Buffer.alloc(0);
