// RTCP sender and receiver reports (RFC 3550 section 6.4), as HEP agents forward them: the binary
// compound packet as captured, or the JSON rendering captagent and rtpengine send under the same
// protocol type (sender_information, report_blocks with source_ssrc, packets_lost, ia_jitter).
// Only what a media flow needs is kept: per SSRC, the sender's packet and octet counts, and each
// receiver's cumulative loss and interarrival jitter (in RTP timestamp units).

export interface ReportBlock {
  /** the SSRC this block reports on (the media sender) */
  ssrc: number;
  /** cumulative packets lost (signed: duplicates can make it negative) */
  lost: number;
  /** interarrival jitter in timestamp units of the stream's clock */
  jitter: number;
}

export interface RtcpReport {
  /** SSRC of the packet's author */
  reporterSsrc: number;
  /** present in a sender report: what the author itself sent so far */
  sent?: { packets: number; octets: number };
  blocks: ReportBlock[];
}

export type RtcpParse = { ok: true; reports: RtcpReport[] } | { ok: false; detail: string };

const SR = 200;
const RR = 201;
const BLOCK_BYTES = 24;
/** JSON renderings are a few hundred bytes; anything far larger is not one. */
const MAX_JSON_BYTES = 16 * 1024;

export function parseRtcp(payload: Buffer): RtcpParse {
  return payload[0] === 0x7b /* { */ ? parseRtcpJson(payload) : parseRtcpBinary(payload);
}

/** A compound packet: headers of { V=2, P, count u5, type u8, length u16 (32-bit words - 1) }. */
export function parseRtcpBinary(buf: Buffer): RtcpParse {
  const reports: RtcpReport[] = [];
  if (buf.length < 8) return { ok: false, detail: `${buf.length} bytes` };
  for (let o = 0; o < buf.length; ) {
    if (buf.length - o < 4) return { ok: false, detail: `${buf.length - o} trailing bytes` };
    const first = buf[o]!;
    if (first >> 6 !== 2) return { ok: false, detail: `RTP version ${first >> 6} at offset ${o}` };
    const count = first & 0x1f;
    const type = buf[o + 1]!;
    const bytes = (buf.readUInt16BE(o + 2) + 1) * 4;
    if (bytes > buf.length - o) return { ok: false, detail: `packet type ${type} claims ${bytes} bytes, ${buf.length - o} left` };
    if (type === SR || type === RR) {
      const fixed = type === SR ? 28 : 8;
      if (fixed + count * BLOCK_BYTES > bytes) return { ok: false, detail: `${type === SR ? 'SR' : 'RR'} of ${bytes} bytes cannot hold ${count} report blocks` };
      const report: RtcpReport = { reporterSsrc: buf.readUInt32BE(o + 4), blocks: [] };
      if (type === SR) report.sent = { packets: buf.readUInt32BE(o + 20), octets: buf.readUInt32BE(o + 24) };
      for (let b = o + fixed, i = 0; i < count; i++, b += BLOCK_BYTES) {
        report.blocks.push({ ssrc: buf.readUInt32BE(b), lost: buf.readIntBE(b + 5, 3), jitter: buf.readUInt32BE(b + 12) });
      }
      reports.push(report);
    }
    // SDES, BYE, APP, XR ... carry nothing a media flow record needs
    o += bytes;
  }
  if (reports.length === 0) return { ok: false, detail: 'no sender or receiver report' };
  return { ok: true, reports };
}

const u32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
const i32 = (v: unknown): v is number => Number.isInteger(v) && Math.abs(v as number) <= 0x7fffffff;

/** The JSON rendering of one SR or RR; every number is checked, nothing else is trusted. */
export function parseRtcpJson(buf: Buffer): RtcpParse {
  if (buf.length > MAX_JSON_BYTES) return { ok: false, detail: `JSON report of ${buf.length} bytes` };
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    return { ok: false, detail: `JSON: ${(err as Error).message.slice(0, 100)}` };
  }
  const o = doc as { type?: unknown; ssrc?: unknown; sender_information?: { packets?: unknown; octets?: unknown }; report_blocks?: unknown };
  if (typeof o !== 'object' || o === null || (o.type !== SR && o.type !== RR) || !u32(o.ssrc)) return { ok: false, detail: 'JSON report without type 200/201 and ssrc' };
  const report: RtcpReport = { reporterSsrc: o.ssrc, blocks: [] };
  if (o.type === SR) {
    const s = o.sender_information;
    if (!s || !u32(s.packets) || !u32(s.octets)) return { ok: false, detail: 'JSON sender report without sender_information' };
    report.sent = { packets: s.packets, octets: s.octets };
  }
  const blocks = o.report_blocks ?? [];
  if (!Array.isArray(blocks) || blocks.length > 31) return { ok: false, detail: 'report_blocks is not a list of at most 31' };
  for (const b of blocks as Array<{ source_ssrc?: unknown; packets_lost?: unknown; ia_jitter?: unknown }>) {
    if (typeof b !== 'object' || b === null || !u32(b.source_ssrc) || !i32(b.packets_lost) || !u32(b.ia_jitter)) return { ok: false, detail: 'malformed report block' };
    report.blocks.push({ ssrc: b.source_ssrc, lost: b.packets_lost, jitter: b.ia_jitter });
  }
  return { ok: true, reports: [report] };
}
