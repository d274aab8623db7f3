// IP fragment reassembly, bounded: at most maxDatagrams partial datagrams, each at most 64 KiB in
// at most 64 pieces, dropped when idle for timeoutMs. SIP INVITEs with large SDP bodies do get
// fragmented over UDP, and an unreassembled first fragment would parse as a truncated message.
import { BoundedMap } from '../sip/bounded-map';

const MAX_DATAGRAM = 65_535;
const MAX_PIECES = 64;

interface Piece {
  offset: number;
  data: Buffer;
}

interface Partial {
  pieces: Piece[];
  /** total length, known once the last fragment (more fragments = 0) arrived */
  total?: number;
  startMs: number;
}

export interface DefragStats {
  fragments: number;
  reassembled: number;
  /** partial datagrams given up: timed out, over the bounds, or pushed out by the cap */
  dropped: number;
}

export class IpDefragmenter {
  private readonly partials: BoundedMap<string, Partial>;

  constructor(
    maxDatagrams = 1024,
    private readonly timeoutMs = 30_000,
    readonly stats: DefragStats = { fragments: 0, reassembled: 0, dropped: 0 },
  ) {
    this.partials = new BoundedMap(maxDatagrams, () => this.stats.dropped++);
  }

  /**
   * Add one fragment (`offset` in bytes, `more` = the MF flag). Returns the whole payload when
   * this fragment completes its datagram.
   */
  push(key: string, offset: number, more: boolean, data: Buffer, timeMs: number): Buffer | undefined {
    this.stats.fragments++;
    this.stats.dropped += this.partials.shiftWhile((p) => timeMs - p.startMs > this.timeoutMs).length;
    let partial = this.partials.get(key);
    if (!partial) {
      partial = { pieces: [], startMs: timeMs };
      this.partials.set(key, partial);
    }
    const end = offset + data.length;
    if (end > MAX_DATAGRAM || partial.pieces.length >= MAX_PIECES) {
      this.partials.delete(key);
      this.stats.dropped++;
      return undefined;
    }
    if (!more) partial.total = end;
    partial.pieces.push({ offset, data: Buffer.from(data) }); // a copy: the packet buffer is reused
    if (partial.total === undefined) return undefined;

    partial.pieces.sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const p of partial.pieces) {
      if (p.offset > covered) return undefined; // a hole remains
      covered = Math.max(covered, p.offset + p.data.length);
    }
    if (covered < partial.total) return undefined;
    const whole = Buffer.alloc(partial.total);
    for (const p of partial.pieces) p.data.copy(whole, p.offset, 0, Math.min(p.data.length, partial.total - p.offset));
    this.partials.delete(key);
    this.stats.reassembled++;
    return whole;
  }
}
