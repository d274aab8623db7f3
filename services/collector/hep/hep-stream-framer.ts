// HEP over TCP is a byte stream of HEP3 messages back to back; each says its own length in its
// header, so a message ends exactly where the next "HEP3" must begin. Reads arrive cut anywhere.
// The framer keeps the reads of an incomplete message as a list and joins them once, when the
// message is complete (a sender trickling one byte per read costs linear, not quadratic, work).
// It holds at most one incomplete message (a HEP3 length is 16 bits) and gives up on the
// connection when the stream stops making sense: after a lie there is no reliable way to find the
// next message boundary.
import { HEP3_HEADER_BYTES, HEP3_MAGIC } from './hep-decode';
import type { HepReject } from './hep-packet';

export type FrameResult = { ok: true; frames: Buffer[] } | { ok: false; reason: HepReject; detail: string; frames: Buffer[] };

export class HepStreamFramer {
  private parts: Buffer[] = [];
  private size = 0;
  /** length of the message at the head once its header is known, else 0 */
  private need = 0;

  /** `maxBufferedBytes` caps what one connection may hold between reads. */
  constructor(private readonly maxBufferedBytes = 65_535) {}

  get buffered(): number {
    return this.size;
  }

  /** Appends a read; returns the complete messages it finished, or why the stream is broken. */
  push(chunk: Buffer): FrameResult {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.parts.push(chunk);
      this.size += chunk.length;
    }
    while (this.size >= HEP3_HEADER_BYTES && this.size >= this.need) {
      const buf = this.joined();
      if (this.need === 0) {
        if (!HEP3_MAGIC.equals(buf.subarray(0, 4))) return this.broken('stream-desync', 'the stream does not continue with "HEP3"', frames);
        const length = buf.readUInt16BE(4);
        if (length < HEP3_HEADER_BYTES) return this.broken('bad-length', `message length ${length}`, frames);
        this.need = length;
        if (this.size < length) break;
      }
      frames.push(buf.subarray(0, this.need));
      const rest = buf.subarray(this.need);
      this.parts = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.need = 0;
    }
    // a short tail must at least start like a message, or the next read cannot repair it
    if (this.size > 0 && this.size < 4 && !HEP3_MAGIC.subarray(0, this.size).equals(this.joined())) return this.broken('stream-desync', 'the stream does not continue with "HEP3"', frames);
    if (this.size > this.maxBufferedBytes) return this.broken('stream-overflow', `${this.size} bytes buffered, limit ${this.maxBufferedBytes}`, frames);
    return { ok: true, frames };
  }

  private joined(): Buffer {
    if (this.parts.length !== 1) this.parts = [Buffer.concat(this.parts, this.size)];
    return this.parts[0]!;
  }

  private broken(reason: HepReject, detail: string, frames: Buffer[]): FrameResult {
    this.parts = [];
    this.size = 0;
    this.need = 0;
    return { ok: false, reason, detail, frames };
  }
}
