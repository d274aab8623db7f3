// IP fragment reassembly (IPv4 and IPv6), bounded: at most maxDatagrams partial datagrams, each at
// most 64 KiB in at most 64 pieces, dropped when idle for timeoutMs. SIP INVITEs with large SDP
// bodies do get fragmented over UDP, and an unreassembled first fragment would parse as a truncated
// message.
// Overlapping fragments whose bytes differ are an evasion: the monitor and the destination may keep
// different copies (BSD, Windows and Linux resolve overlaps differently), so whichever copy we kept,
// the attacker chooses what we see. Like Linux (RFC 5722; CVE-2018-5391) we discard such a datagram,
// with every fragment of it that is still to come, and count it. An exact repeat of bytes already
// held (a duplicated packet) is ignored and counted as a duplicate.
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
  /** its fragments disagreed: the rest of them are discarded until the datagram times out */
  conflict?: true;
}

export interface DefragStats {
  fragments: number;
  reassembled: number;
  /** partial datagrams given up: timed out, over the bounds, or pushed out by the cap */
  dropped: number;
  /** datagrams discarded because their fragments overlapped with different bytes (or lengths) */
  overlaps: number;
  /** fragments that only repeated bytes already held */
  duplicates: number;
}

export function createDefragStats(): DefragStats {
  return { fragments: 0, reassembled: 0, dropped: 0, overlaps: 0, duplicates: 0 };
}

export class IpDefragmenter {
  private readonly partials: BoundedMap<string, Partial>;

  constructor(
    maxDatagrams = 1024,
    private readonly timeoutMs = 30_000,
    readonly stats: DefragStats = createDefragStats(),
  ) {
    this.partials = new BoundedMap(maxDatagrams, (_key, p) => {
      if (!p.conflict) this.stats.dropped++;
    });
  }

  /**
   * Add one fragment (`offset` in bytes, `more` = the MF flag). Returns the whole payload when
   * this fragment completes its datagram.
   */
  push(key: string, offset: number, more: boolean, data: Buffer, timeMs: number): Buffer | undefined {
    this.stats.fragments++;
    this.stats.dropped += this.partials.shiftWhile((p) => timeMs - p.startMs > this.timeoutMs).filter(([, p]) => !p.conflict).length;
    let partial = this.partials.get(key);
    if (!partial) {
      partial = { pieces: [], startMs: timeMs };
      this.partials.set(key, partial);
    }
    if (partial.conflict) return undefined;
    const end = offset + data.length;
    if (end > MAX_DATAGRAM || partial.pieces.length >= MAX_PIECES) {
      this.partials.delete(key);
      this.stats.dropped++;
      return undefined;
    }
    const agreement = this.agreement(partial, offset, more, data);
    if (agreement === 'conflict') {
      // keep the key as a tombstone, so no later copy can complete the datagram either
      this.partials.set(key, { pieces: [], startMs: partial.startMs, conflict: true });
      this.stats.overlaps++;
      return undefined;
    }
    if (agreement === 'duplicate') {
      this.stats.duplicates++;
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
    for (const p of partial.pieces) p.data.copy(whole, p.offset);
    this.partials.delete(key);
    this.stats.reassembled++;
    return whole;
  }

  /**
   * How a new fragment fits what is held: 'new' bytes (possibly overlapping held ones that are
   * equal), a 'duplicate' of bytes all held already, or a 'conflict': overlapping bytes differ, or
   * the datagram's end moves (a second last fragment, or bytes past the last one).
   */
  private agreement(partial: Partial, offset: number, more: boolean, data: Buffer): 'new' | 'duplicate' | 'conflict' {
    const end = offset + data.length;
    if (partial.total !== undefined && (end > partial.total || (!more && end !== partial.total))) return 'conflict';
    if (!more && partial.pieces.some((p) => p.offset + p.data.length > end)) return 'conflict';
    for (const p of partial.pieces) {
      const from = Math.max(offset, p.offset);
      const to = Math.min(end, p.offset + p.data.length);
      if (from >= to) continue;
      if (!data.subarray(from - offset, to - offset).equals(p.data.subarray(from - p.offset, to - p.offset))) return 'conflict';
    }
    return this.covers(partial, offset, end) ? 'duplicate' : 'new';
  }

  private covers(partial: Partial, from: number, to: number): boolean {
    let at = from;
    for (const p of [...partial.pieces].sort((a, b) => a.offset - b.offset)) {
      if (p.offset > at) break;
      at = Math.max(at, p.offset + p.data.length);
      if (at >= to) return true;
    }
    return at >= to;
  }
}
