// Per-direction TCP byte streams from captured segments. Retransmitted and overlapping bytes are
// delivered once, out-of-order segments wait in a bounded buffer until the hole is filled; when
// the hole outlives the buffer (a segment the capture never saw), the stream skips it and tells
// its handler, which resynchronises. Flows are capped in number and evicted when idle.
//
// A direction proves its source address only when it acknowledged the SYN of the other side that
// the capture saw: its sender received our SYN-ACK. A passive capture parses segments without a
// connection too (a stream joined mid-way, or a segment injected with a forged source that the
// server's kernel answers with a reset), and those prove nothing.
//
// Bytes sent twice with different content are an evasion (the monitor and the receiver may keep
// different copies): such a conflict is counted and the handler is told of a gap, so the message
// in progress is abandoned rather than read as either copy. Retransmissions are compared with the
// last TAIL_BYTES delivered (older bytes are no longer held) and with the segments waiting.
import { BoundedMap } from '../sip/bounded-map';
import { ByteBudget } from './byte-budget';

export interface TcpSegment {
  timeMs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  seq: number;
  /** acknowledgement number (meaningful with the ACK flag) */
  ack: number;
  flags: number;
  payload: Buffer;
}

export interface TcpDirection {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** set once this direction acknowledged the other side's SYN (see above); read when messages are framed */
  readonly connection: { proven: boolean };
}

/** What one direction of a connection does with its bytes. */
export interface TcpStreamHandler {
  data(bytes: Buffer, timeMs: number): void;
  /** bytes were lost: whatever is buffered is no longer contiguous */
  gap(timeMs: number): void;
  /** FIN, RST, idle eviction or end of input */
  end(timeMs: number): void;
}

export interface TcpStats {
  segments: number;
  bytes: number;
  /** segments whose bytes had all been delivered already */
  retransmissions: number;
  outOfOrder: number;
  /** holes skipped because the missing bytes never came */
  gaps: number;
  /** segments that repeated bytes with different content (the stream was resynchronised) */
  conflicts: number;
  flows: number;
  evictedFlows: number;
}

export interface TcpReassemblyOptions {
  maxFlows?: number;
  /** out-of-order bytes held per direction */
  maxBufferedBytes?: number;
  /** bytes held across all directions (shared with the stream handlers when they are given it) */
  budget?: ByteBudget;
  maxBufferedSegments?: number;
  idleTimeoutMs?: number;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

interface Pending {
  seq: number;
  data: Buffer;
}

/** delivered bytes kept per direction to compare retransmissions with (one MSS-sized segment or so) */
const TAIL_BYTES = 1024;

interface Direction {
  handler: TcpStreamHandler;
  connection: { proven: boolean };
  /** the sequence number of its SYN, when the capture saw it */
  synSeq?: number;
  nextSeq?: number;
  /** the last delivered bytes, ending at nextSeq (allocated at the first delivery) */
  tail?: Buffer;
  tailLength: number;
  pending: Pending[];
  pendingBytes: number;
  lastMs: number;
}

export function createTcpStats(): TcpStats {
  return { segments: 0, bytes: 0, retransmissions: 0, outOfOrder: 0, gaps: 0, conflicts: 0, flows: 0, evictedFlows: 0 };
}

export class TcpReassembler {
  private readonly directions: BoundedMap<string, Direction>;
  private readonly maxBufferedBytes: number;
  private readonly maxBufferedSegments: number;
  private readonly idleTimeoutMs: number;
  private readonly budget: ByteBudget;
  private lastMs = 0;

  constructor(
    private readonly createHandler: (dir: TcpDirection) => TcpStreamHandler,
    readonly stats: TcpStats = createTcpStats(),
    options: TcpReassemblyOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 256 * 1024;
    this.maxBufferedSegments = options.maxBufferedSegments ?? 64;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
    this.budget = options.budget ?? new ByteBudget(64 * 1024 * 1024);
    this.directions = new BoundedMap((options.maxFlows ?? 10_000) * 2, (_key, d) => {
      this.stats.evictedFlows++;
      this.finish(d, this.lastMs);
    });
  }

  get openDirections(): number {
    return this.directions.size;
  }

  push(seg: TcpSegment): void {
    this.stats.segments++;
    this.lastMs = seg.timeMs;
    const key = `${seg.src}|${seg.srcPort}|${seg.dst}|${seg.dstPort}`;
    let d = this.directions.get(key);
    if (d && seg.flags & SYN && d.nextSeq !== undefined && d.nextSeq !== ((seg.seq + 1) >>> 0)) {
      // a new connection on a reused 4-tuple
      this.directions.delete(key);
      this.finish(d, seg.timeMs);
      d = undefined;
    }
    if (!d) {
      const connection = { proven: false };
      d = { handler: this.createHandler({ src: seg.src, srcPort: seg.srcPort, dst: seg.dst, dstPort: seg.dstPort, connection }), connection, pending: [], pendingBytes: 0, tailLength: 0, lastMs: seg.timeMs };
      this.directions.set(key, d);
      this.stats.flows++;
    } else this.directions.touch(key);
    d.lastMs = seg.timeMs;

    if (seg.flags & SYN) {
      d.synSeq = seg.seq;
      d.nextSeq = (seg.seq + 1) >>> 0;
    }
    if (!d.connection.proven && seg.flags & ACK) this.checkHandshake(d, seg);
    if (seg.payload.length > 0) {
      this.stats.bytes += seg.payload.length;
      d.nextSeq ??= seg.seq; // joined mid-stream: start where we are
      this.accept(d, seg.seq, seg.payload, seg.timeMs);
    }
    if (seg.flags & (FIN | RST)) {
      this.directions.delete(key);
      this.finish(d, seg.timeMs);
    }
  }

  /** Proven when it acknowledges the other side's SYN, and no byte the other side has not sent. */
  private checkHandshake(d: Direction, seg: TcpSegment): void {
    const other = this.directions.get(`${seg.dst}|${seg.dstPort}|${seg.src}|${seg.srcPort}`);
    if (other?.synSeq === undefined || other.nextSeq === undefined) return;
    const first = (other.synSeq + 1) >>> 0;
    const acked = (seg.ack - first) | 0;
    if (acked >= 0 && acked <= ((other.nextSeq - first) | 0)) d.connection.proven = true;
  }

  private accept(d: Direction, seq: number, data: Buffer, timeMs: number): void {
    const ahead = (seq - d.nextSeq!) | 0; // signed distance, modulo 2^32
    if (ahead <= 0) {
      if (this.disagreesWithTail(d, -ahead, data)) this.conflict(d, timeMs);
      if (-ahead >= data.length) {
        this.stats.retransmissions++;
        return;
      }
      this.deliver(d, data.subarray(-ahead), timeMs);
      this.drain(d, timeMs);
      return;
    }
    const full = d.pendingBytes + data.length > this.maxBufferedBytes || d.pending.length >= this.maxBufferedSegments;
    if (full || !this.budget.take(data.length)) {
      if (d.pending.length > 0) {
        // give up the oldest hole (each round frees at least one segment), then try again
        this.skipHole(d, timeMs);
        this.accept(d, seq, data, timeMs);
      } else {
        // nothing of ours to free: the hole before this segment is given up at once
        this.stats.gaps++;
        d.handler.gap(timeMs);
        d.nextSeq = seq;
        this.accept(d, seq, data, timeMs);
      }
      return;
    }
    if (d.pending.some((p) => disagree(p.seq, p.data, seq, data))) {
      // the copy held first stays; the stream is resynchronised after it
      this.budget.give(data.length);
      this.conflict(d, timeMs);
      return;
    }
    this.stats.outOfOrder++;
    let i = d.pending.length;
    while (i > 0 && ((d.pending[i - 1]!.seq - seq) | 0) > 0) i--;
    d.pending.splice(i, 0, { seq, data: Buffer.from(data) }); // a copy: packet buffers are views of the file chunk
    d.pendingBytes += data.length;
  }

  private deliver(d: Direction, bytes: Buffer, timeMs: number): void {
    d.nextSeq = (d.nextSeq! + bytes.length) >>> 0;
    this.remember(d, bytes);
    d.handler.data(bytes, timeMs);
  }

  /** Keep the last TAIL_BYTES delivered. */
  private remember(d: Direction, bytes: Buffer): void {
    const tail = (d.tail ??= Buffer.alloc(TAIL_BYTES));
    if (bytes.length >= TAIL_BYTES) {
      bytes.copy(tail, 0, bytes.length - TAIL_BYTES);
      d.tailLength = TAIL_BYTES;
      return;
    }
    const keep = Math.min(d.tailLength, TAIL_BYTES - bytes.length);
    tail.copyWithin(0, d.tailLength - keep, d.tailLength);
    bytes.copy(tail, keep);
    d.tailLength = keep + bytes.length;
  }

  /** `data` starts `back` bytes before nextSeq: do its bytes still held in the tail differ? */
  private disagreesWithTail(d: Direction, back: number, data: Buffer): boolean {
    if (!d.tail || back > d.tailLength) return false; // older than what we keep: cannot compare
    const n = Math.min(back, data.length);
    const from = d.tailLength - back;
    return !data.subarray(0, n).equals(d.tail.subarray(from, from + n));
  }

  private conflict(d: Direction, timeMs: number): void {
    this.stats.conflicts++;
    d.handler.gap(timeMs);
  }

  /** Deliver held segments that have become contiguous. */
  private drain(d: Direction, timeMs: number): void {
    while (d.pending.length > 0) {
      const first = d.pending[0]!;
      const ahead = (first.seq - d.nextSeq!) | 0;
      if (ahead > 0) return;
      d.pending.shift();
      d.pendingBytes -= first.data.length;
      this.budget.give(first.data.length);
      if (-ahead < first.data.length) this.deliver(d, first.data.subarray(-ahead), timeMs);
      else this.stats.retransmissions++;
    }
  }

  /** Give up on the hole before the first held segment. */
  private skipHole(d: Direction, timeMs: number): void {
    const first = d.pending[0];
    if (!first) return;
    this.stats.gaps++;
    d.handler.gap(timeMs);
    d.nextSeq = first.seq;
    this.drain(d, timeMs);
  }

  private finish(d: Direction, timeMs: number): void {
    while (d.pending.length > 0) this.skipHole(d, timeMs);
    d.handler.end(timeMs);
  }

  /** Evict directions idle for longer than the idle timeout. */
  expire(nowMs: number): void {
    for (const [, d] of this.directions.shiftWhile((d) => nowMs - d.lastMs > this.idleTimeoutMs)) this.finish(d, nowMs);
  }

  /** End of input: flush every direction. */
  flush(): void {
    for (const d of this.directions.values()) this.finish(d, this.lastMs);
    this.directions.clear();
  }
}

/** Two segments overlap (sequence numbers modulo 2^32) with different bytes. */
function disagree(seqA: number, a: Buffer, seqB: number, b: Buffer): boolean {
  const offset = (seqB - seqA) | 0; // where b starts, relative to a
  const from = Math.max(0, offset);
  const to = Math.min(a.length, offset + b.length);
  if (from >= to) return false;
  return !a.subarray(from, to).equals(b.subarray(from - offset, to - offset));
}
