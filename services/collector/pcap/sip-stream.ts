// SIP over a byte stream (TCP, and TLS once decrypted elsewhere): Content-Length framing, several
// messages per segment or one message over several segments. After garbage or a lost segment the
// framer resynchronises on the next SIP start line.
//
// While a message is unfinished, new segments are only stashed until they can complete it (the
// body length is reached, or a blank line ends the headers): a message trickled in one-byte
// segments costs linear time, not a re-scan and a re-copy of everything per segment.
import { DEFAULT_SIP_LIMITS, parseSipMessage, type SipLimits } from '../sip/parse-message';
import { nextSipStart } from '../sip/sip-sniff';
import type { ParseFailure, SipMessage } from '../sip/sip-message';
import type { ByteBudget } from './byte-budget';

export interface SipStreamEvents {
  /** `raw`: the message's bytes, a view valid only during the call (copy to keep) */
  message(msg: SipMessage, raw: Buffer): void;
  error(reason: ParseFailure): void;
}

const EMPTY = Buffer.alloc(0);
/** bytes kept while hunting for a start line, in case one is split across segments */
const RESYNC_TAIL = 256;
const LF = 0x0a;

export class SipStreamFramer {
  /** the unfinished head of the stream (an owned copy) */
  private buf: Buffer = EMPTY;
  /** segments received since, not yet joined to buf */
  private stash: Buffer[] = [];
  private stashed = 0;
  /** the last bytes received, to find a blank line split across segments */
  private tail: Buffer = EMPTY;
  /** total bytes the message at the head needs, when the parser said so */
  private needed = 0;
  /** bytes of an oversized message still to be dropped as they arrive */
  private discard = 0;
  private hunting = false;
  /** bytes charged to the shared budget */
  private held = 0;
  private readonly limits: SipLimits;

  constructor(
    private readonly events: SipStreamEvents,
    maxMessageBytes = DEFAULT_SIP_LIMITS.maxMessageBytes,
    private readonly budget?: ByteBudget,
  ) {
    this.limits = { ...DEFAULT_SIP_LIMITS, maxMessageBytes };
  }

  push(data: Buffer): void {
    if (this.discard > 0) {
      const n = Math.min(this.discard, data.length);
      this.discard -= n;
      data = data.subarray(n);
      if (data.length === 0) return;
    }
    if (!this.hunting && this.buf.length + this.stashed > 0 && !this.mayComplete(data)) {
      this.stash.push(Buffer.from(data)); // a copy: packet buffers are views of the capture chunk
      this.stashed += data.length;
      this.remember(data);
      this.charge();
      return;
    }
    const joined = this.buf.length + this.stashed === 0 ? data : Buffer.concat([this.buf, ...this.stash, data]);
    this.stash = [];
    this.stashed = 0;
    this.buf = joined;
    this.needed = 0;
    this.frame();
    // keep the remainder as a copy, not as a view that pins the capture chunk it came from
    if (this.buf.length > 0 && this.buf.buffer === data.buffer) this.buf = Buffer.from(this.buf);
    this.tail = EMPTY;
    this.remember(this.buf);
    this.charge();
  }

  /** Bytes were lost: the partial message at the head is unusable. */
  gap(): void {
    if (this.buf.length + this.stashed > 0) this.events.error('incomplete');
    this.reset();
    this.hunting = true;
  }

  /** The stream ended: an unfinished message is reported as such. */
  end(): void {
    const rest = Buffer.concat([this.buf, ...this.stash]);
    if (rest.length > 0 && !this.hunting && rest.some((b) => b !== 0x0d && b !== 0x0a)) this.events.error('incomplete');
    this.reset();
  }

  private reset(): void {
    this.buf = EMPTY;
    this.stash = [];
    this.stashed = 0;
    this.tail = EMPTY;
    this.needed = 0;
    this.discard = 0;
    this.charge();
  }

  /** Could `data` finish the message at the head? Only then is it worth joining and parsing. */
  private mayComplete(data: Buffer): boolean {
    const total = this.buf.length + this.stashed + data.length;
    if (this.needed > 0) return total >= this.needed;
    if (total >= this.limits.maxMessageBytes) return true; // the parser will say too-large
    // a blank line ("\n\n" or "\n\r\n") may straddle the previous segment and this one
    const probe = this.tail.length === 0 ? data : Buffer.concat([this.tail, data.subarray(0, 3)]);
    return hasBlankLine(probe) || hasBlankLine(data);
  }

  private remember(data: Buffer): void {
    const keep = Buffer.concat([this.tail, data.subarray(Math.max(0, data.length - 3))]);
    this.tail = Buffer.from(keep.subarray(Math.max(0, keep.length - 3)));
  }

  /** Account for what stays buffered; over the shared budget, the partial message is dropped. */
  private charge(): void {
    if (!this.budget) return;
    this.budget.give(this.held);
    this.held = 0;
    const holding = this.buf.length + this.stashed;
    if (holding === 0) return;
    if (this.budget.take(holding)) this.held = holding;
    else {
      this.buf = EMPTY;
      this.stash = [];
      this.stashed = 0;
      this.tail = EMPTY;
      this.needed = 0;
      this.hunting = true;
    }
  }

  private frame(): void {
    let o = 0;
    for (let guard = 0; o < this.buf.length && guard < 10_000; guard++) {
      if (this.hunting) {
        const start = nextSipStart(this.buf, o);
        if (start < 0) {
          o = Math.max(o, this.buf.length - RESYNC_TAIL);
          break;
        }
        o = start;
        this.hunting = false;
      }
      const view = o === 0 ? this.buf : this.buf.subarray(o);
      const r = parseSipMessage(view, { stream: true, limits: this.limits });
      if (r.ok) {
        this.events.message(r.message, view.subarray(0, r.consumed));
        o += r.consumed;
        continue;
      }
      if (r.reason === 'incomplete') {
        // `needed` counts from the head of the unfinished message, which becomes the head of buf
        if (r.needed !== undefined) this.needed = r.needed;
        break;
      }
      if (r.reason === 'empty') {
        o += r.consumed;
        continue;
      }
      this.events.error(r.reason);
      if (r.reason === 'too-large' && r.consumed > view.length) {
        // an oversized message with a believable length: skip it whole
        this.discard = r.consumed - view.length;
        o = this.buf.length;
        break;
      }
      this.hunting = true;
      o += Math.max(1, Math.min(r.consumed, view.length));
    }
    this.buf = o >= this.buf.length ? EMPTY : this.buf.subarray(o);
  }
}

function hasBlankLine(b: Buffer): boolean {
  for (let lf = b.indexOf(LF); lf >= 0 && lf + 1 < b.length; lf = b.indexOf(LF, lf + 1)) {
    if (b[lf + 1] === LF || (b[lf + 1] === 0x0d && b[lf + 2] === LF)) return true;
  }
  return false;
}
