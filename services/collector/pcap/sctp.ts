// SCTP DATA chunks (RFC 4960 3.3.1) and the reassembly of user messages split over several chunks
// (B and E flags), which is how a large SIP message travels over SCTP (RFC 4168).
import { BoundedMap } from '../sip/bounded-map';

export interface SctpData {
  streamId: number;
  ssn: number;
  tsn: number;
  /** B: first fragment, E: last fragment, U: unordered */
  begin: boolean;
  end: boolean;
  data: Buffer;
}

const DATA = 0;
const MAX_CHUNKS = 64;

/** DATA chunks of an SCTP packet (after the 12-byte common header). */
export function sctpDataChunks(packet: Buffer, from: number): SctpData[] {
  const out: SctpData[] = [];
  let o = from;
  for (let n = 0; n < MAX_CHUNKS && o + 4 <= packet.length; n++) {
    const type = packet[o]!;
    const flags = packet[o + 1]!;
    const length = packet.readUInt16BE(o + 2);
    if (length < 4 || o + length > packet.length) break;
    if (type === DATA && length >= 16) {
      out.push({
        tsn: packet.readUInt32BE(o + 4),
        streamId: packet.readUInt16BE(o + 8),
        ssn: packet.readUInt16BE(o + 10),
        begin: (flags & 0x02) !== 0,
        end: (flags & 0x01) !== 0,
        data: packet.subarray(o + 16, o + length),
      });
    }
    o += (length + 3) & ~3;
  }
  return out;
}

interface Pending {
  parts: Buffer[];
  bytes: number;
  nextTsn: number;
}

/** Joins B...E fragment runs per association direction and stream. Bounded in count and size. */
export class SctpReassembler {
  private readonly pending: BoundedMap<string, Pending>;
  dropped = 0;

  constructor(
    maxPending = 1024,
    private readonly maxBytes = 64 * 1024,
  ) {
    this.pending = new BoundedMap(maxPending, () => this.dropped++);
  }

  /** Returns the complete user message this chunk finishes, if any. */
  push(flowKey: string, chunk: SctpData): Buffer | undefined {
    if (chunk.begin && chunk.end) return chunk.data;
    const key = `${flowKey}#${chunk.streamId}`;
    if (chunk.begin) {
      if (this.pending.has(key)) this.dropped++;
      this.pending.set(key, { parts: [Buffer.from(chunk.data)], bytes: chunk.data.length, nextTsn: (chunk.tsn + 1) >>> 0 });
      return undefined;
    }
    const p = this.pending.get(key);
    if (!p || chunk.tsn !== p.nextTsn || p.bytes + chunk.data.length > this.maxBytes) {
      // a middle or last piece without its start (lost, or out of order): the message is gone
      if (p) this.pending.delete(key);
      this.dropped++;
      return undefined;
    }
    p.parts.push(Buffer.from(chunk.data));
    p.bytes += chunk.data.length;
    p.nextTsn = (chunk.tsn + 1) >>> 0;
    if (!chunk.end) return undefined;
    this.pending.delete(key);
    return Buffer.concat(p.parts, p.bytes);
  }
}
