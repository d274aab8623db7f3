// RTP/SRTP streams on the addresses that SIP negotiated. Every SDP offer or answer registers its
// c= address and m= ports (and port+1 for RTCP); a UDP packet to or from a registered endpoint is
// media. Each SSRC in each direction becomes one MediaFlow when it goes idle: packets, bytes,
// loss from sequence numbers (RFC 3550 A.1/A.3), interarrival jitter (A.8) in the clock rate of
// the codec, and whether the session negotiated SRTP (SAVP/SAVPF, a=crypto, a=fingerprint) or
// keyed it with ZRTP in the media path.
import { toIso } from '../../core/clock';
import { stableId } from '../../core/ids';
import type { MediaFlow } from '../../core/records';
import { BoundedMap } from '../sip/bounded-map';
import { isSrtpMedia, staticPayloadType, type RtpMapEntry, type SdpMedia } from '../sip/sdp';
import { detach } from '../sip/text-scan';
import type { SdpEvent } from '../sip/transactions';

export interface MediaStats {
  /** MediaFlow records emitted */
  streams: number;
  rtpPackets: number;
  rtcpPackets: number;
  zrtpPackets: number;
  /** STUN and DTLS packets on media ports (ICE, DTLS-SRTP key exchange) */
  stunPackets: number;
  dtlsPackets: number;
  /** packets on a negotiated port that are not RTP (or too short) */
  otherPackets: number;
  endpoints: number;
  /** streams emitted early because the stream table was full */
  evictedStreams: number;
}

export function createMediaStats(): MediaStats {
  return { streams: 0, rtpPackets: 0, rtcpPackets: 0, zrtpPackets: 0, stunPackets: 0, dtlsPackets: 0, otherPackets: 0, endpoints: 0, evictedStreams: 0 };
}

export interface MediaTrackerOptions {
  maxEndpoints?: number;
  /** an endpoint nobody refreshed (SDP or packet) for this long is forgotten. Default 10 min. */
  endpointIdleMs?: number;
  maxStreams?: number;
  /** a stream without packets for this long is emitted. Default 15 s. */
  streamIdleMs?: number;
  observerId?: string;
  organizationId?: string;
}

export interface UdpPacket {
  timeMs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
}

/** What an endpoint keeps of its m= line: detached strings only, never the SDP text. */
interface MediaProfile {
  /** the m= line's protocol is an RTP profile (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF ...) */
  rtp: boolean;
  srtp: boolean;
  suite?: string;
  codecs: Map<number, RtpMapEntry>;
}

interface Endpoint {
  callId: string;
  profile: MediaProfile;
  lastMs: number;
  zrtp: boolean;
}

function profileOf(m: SdpMedia): MediaProfile {
  const codecs = new Map<number, RtpMapEntry>();
  for (const [pt, e] of m.rtpmap) codecs.set(pt, { name: detach(e.name, 64), clockRate: e.clockRate });
  const profile: MediaProfile = { rtp: m.protocol.toUpperCase().includes('RTP'), srtp: isSrtpMedia(m), codecs };
  if (m.cryptoSuites[0] !== undefined) profile.suite = detach(m.cryptoSuites[0], 64);
  return profile;
}

function codecOf(p: MediaProfile, pt: number): RtpMapEntry | undefined {
  return p.codecs.get(pt) ?? staticPayloadType(pt);
}

interface Stream {
  callId: string;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  ssrc: number;
  profile: MediaProfile;
  srtp: boolean;
  firstMs: number;
  lastMs: number;
  packets: number;
  bytes: number;
  // RFC 3550 A.1 sequence state
  baseSeq: number;
  maxSeq: number;
  cycles: number;
  badSeq: number;
  received: number;
  // A.8 jitter, in timestamp units, for the stream's main payload type
  codecPt: number;
  clockRate: number;
  jitter: number;
  lastArrival: number;
  lastTimestamp: number;
  haveTransit: boolean;
}

const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const RTP_SEQ_MOD = 0x10000;
const ZRTP_MAGIC = 0x5a525450; // "ZRTP"
/** payload types that ride along the codec and say nothing about it */
const SIDE_PAYLOADS = new Set(['telephone-event', 'CN', 'comfort-noise', 'red', 'ulpfec', 'rtx']);

export class MediaTracker {
  readonly stats: MediaStats;
  private readonly endpoints: BoundedMap<string, Endpoint>;
  private readonly streams: BoundedMap<string, Stream>;
  private readonly endpointIdleMs: number;
  private readonly streamIdleMs: number;
  private out: MediaFlow[] = [];

  constructor(
    private readonly options: MediaTrackerOptions = {},
    stats?: MediaStats,
  ) {
    this.stats = stats ?? createMediaStats();
    this.endpointIdleMs = options.endpointIdleMs ?? 10 * 60_000;
    this.streamIdleMs = options.streamIdleMs ?? 15_000;
    this.endpoints = new BoundedMap(options.maxEndpoints ?? 50_000);
    this.streams = new BoundedMap(options.maxStreams ?? 20_000, (_key, s) => {
      this.stats.evictedStreams++;
      this.emit(s);
    });
  }

  /** Remember where an SDP says media will arrive. */
  register(event: SdpEvent): void {
    for (const m of event.sdp.media) {
      const ip = m.connectionIp;
      if (ip === undefined || m.port === 0 || ip === '0.0.0.0' || ip === '::') continue;
      const profile = profileOf(m);
      const callId = detach(event.callId, 512);
      for (const port of [m.port, m.port + 1]) {
        if (port > 65535) continue;
        const key = detach(`${ip}|${port}`);
        const known = this.endpoints.get(key);
        if (!known) this.stats.endpoints++;
        this.endpoints.set(key, { callId, profile, lastMs: event.timeMs, zrtp: m.zrtp || (known?.zrtp ?? false) });
        this.endpoints.touch(key);
      }
    }
  }

  /** Returns true when the packet belonged to negotiated media (and was counted as such). */
  packet(p: UdpPacket): boolean {
    const toKey = `${p.dst}|${p.dstPort}`;
    const fromKey = `${p.src}|${p.srcPort}`;
    const to = this.endpoints.get(toKey);
    const from = to ? undefined : this.endpoints.get(fromKey);
    const endpoint = to ?? from;
    if (!endpoint) return false;
    endpoint.lastMs = p.timeMs;
    this.endpoints.touch(to ? toKey : fromKey);

    const b = p.payload;
    if (b.length < 12 || !endpoint.profile.rtp) {
      // too short, or negotiated for something else than RTP (T.38 over UDPTL after a fax re-INVITE)
      this.stats.otherPackets++;
      return true;
    }
    const first = b[0]!;
    if (first < 4) this.stats.stunPackets++;
    else if (first >= 20 && first <= 63) this.stats.dtlsPackets++;
    else if (first === 0x10 && b.readUInt32BE(4) === ZRTP_MAGIC) {
      this.stats.zrtpPackets++;
      endpoint.zrtp = true; // ZRTP keys SRTP in the media path: the SDP profile says nothing
      const other = this.endpoints.get(to ? fromKey : toKey);
      if (other) other.zrtp = true;
    } else if (first >> 6 !== 2) this.stats.otherPackets++;
    else if (b[1]! >= 192 && b[1]! <= 223) this.stats.rtcpPackets++; // RTCP packet types 192-223
    else {
      this.stats.rtpPackets++;
      this.rtp(p, endpoint);
    }
    return true;
  }

  private rtp(p: UdpPacket, endpoint: Endpoint): void {
    const b = p.payload;
    const ssrc = b.readUInt32BE(8);
    const key = `${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}|${ssrc}`;
    const seq = b.readUInt16BE(2);
    const pt = b[1]! & 0x7f;
    let s = this.streams.get(key);
    if (!s) {
      s = {
        callId: endpoint.callId,
        src: p.src,
        srcPort: p.srcPort,
        dst: p.dst,
        dstPort: p.dstPort,
        ssrc,
        profile: endpoint.profile,
        srtp: endpoint.profile.srtp,
        firstMs: p.timeMs,
        lastMs: p.timeMs,
        packets: 0,
        bytes: 0,
        baseSeq: seq,
        maxSeq: seq,
        cycles: 0,
        badSeq: RTP_SEQ_MOD + 1,
        received: 0,
        codecPt: -1,
        clockRate: 0,
        jitter: 0,
        lastArrival: 0,
        lastTimestamp: 0,
        haveTransit: false,
      };
      this.streams.set(key, s);
    } else this.streams.touch(key);
    s.lastMs = Math.max(s.lastMs, p.timeMs);
    s.packets++;
    s.bytes += b.length;
    if (endpoint.zrtp) s.srtp = true;
    this.sequence(s, seq);
    if (s.codecPt < 0) {
      const codec = codecOf(s.profile, pt);
      if (codec && !SIDE_PAYLOADS.has(codec.name)) {
        s.codecPt = pt;
        s.clockRate = codec.clockRate;
      }
    }
    if (pt === s.codecPt && s.clockRate > 0) this.jitter(s, p.timeMs, b.readUInt32BE(4));
  }

  /** RFC 3550 A.1, without the probation period: a capture sees streams mid-way. */
  private sequence(s: Stream, seq: number): void {
    const delta = (seq - s.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (delta < MAX_DROPOUT) {
      if (seq < s.maxSeq) s.cycles += RTP_SEQ_MOD;
      s.maxSeq = seq;
    } else if (delta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // a big jump: a restarted sender if the next packet follows it, otherwise a stray
      if (seq === s.badSeq) {
        s.baseSeq = seq;
        s.maxSeq = seq;
        s.cycles = 0;
        s.received = 0;
      } else {
        s.badSeq = (seq + 1) % RTP_SEQ_MOD;
        return;
      }
    }
    s.received++;
  }

  /** RFC 3550 A.8: J += (|D| - J) / 16, D from arrival and RTP timestamp differences. */
  private jitter(s: Stream, timeMs: number, timestamp: number): void {
    const arrival = (timeMs * s.clockRate) / 1000;
    if (s.haveTransit) {
      const dTimestamp = (timestamp - s.lastTimestamp) | 0; // modulo 2^32
      const d = Math.abs(arrival - s.lastArrival - dTimestamp);
      s.jitter += (d - s.jitter) / 16;
    }
    s.lastArrival = arrival;
    s.lastTimestamp = timestamp;
    s.haveTransit = true;
  }

  private emit(s: Stream): void {
    this.stats.streams++;
    const expected = s.cycles + s.maxSeq - s.baseSeq + 1;
    const durationMs = s.lastMs - s.firstMs;
    const flow: MediaFlow = {
      '@timestamp': toIso(s.firstMs),
      event: {
        id: stableId('media', s.src, s.srcPort, s.dst, s.dstPort, s.ssrc, s.firstMs),
        kind: 'event',
        dataset: 'media.flow',
        duration: Math.round(durationMs * 1e6),
      },
      source: { ip: s.src, port: s.srcPort },
      destination: { ip: s.dst, port: s.dstPort },
      network: { transport: 'udp' },
      media: {
        call_id: s.callId,
        ssrc: s.ssrc,
        srtp: s.srtp,
        packets: s.packets,
        bytes: s.bytes,
        lost: Math.max(0, expected - s.received),
        duration_ms: durationMs,
      },
    };
    if (s.codecPt >= 0) flow.media.codec = codecOf(s.profile, s.codecPt)!.name;
    if (s.clockRate > 0 && s.haveTransit) flow.media.jitter_ms = (s.jitter / s.clockRate) * 1000;
    if (s.srtp && s.profile.suite) flow.media.srtp_suite = s.profile.suite;
    if (this.options.observerId) flow.observer = { id: this.options.observerId };
    if (this.options.organizationId) flow.organization = { id: this.options.organizationId };
    this.out.push(flow);
  }

  /** Streams idle for streamIdleMs are emitted; idle endpoints are forgotten. */
  expire(nowMs: number): MediaFlow[] {
    for (const [, s] of this.streams.shiftWhile((s) => nowMs - s.lastMs > this.streamIdleMs)) this.emit(s);
    this.endpoints.shiftWhile((e) => nowMs - e.lastMs > this.endpointIdleMs);
    return this.drain();
  }

  flush(): MediaFlow[] {
    for (const s of this.streams.values()) this.emit(s);
    this.streams.clear();
    return this.drain();
  }

  private drain(): MediaFlow[] {
    if (this.out.length === 0) return [];
    const flows = this.out;
    this.out = [];
    return flows;
  }
}
