// Media flow records from RTCP reports: a HEP agent that mirrors RTCP tells us about a stream
// without us seeing a single RTP packet. One stream = one SSRC from one sender; its sender reports
// give packets and octets, the receiver's reports give loss and jitter. Reports are cumulative, so
// the latest one wins, and the stream becomes one MediaFlow when its reports stop (or at flush, or
// when the table is full), as the RTP tracker of pcap replay does: one record per stream, never a
// series of overlapping snapshots that a consumer could add up twice.
import { toIso } from '../../core/clock';
import { stableId } from '../../core/ids';
import type { MediaFlow } from '../../core/records';
import { BoundedMap } from '../sip/bounded-map';
import type { HepAddress } from './hep-packet';
import type { RtcpReport } from './rtcp-report';

export interface RtcpMediaOptions {
  /** a stream without reports for this long is emitted. Default 30 s (RTCP reports every ~5 s). */
  streamIdleMs?: number;
  /** streams tracked at once. Default 50,000. */
  maxStreams?: number;
  /**
   * RTP clock rate used to turn jitter (timestamp units) into milliseconds. RTCP does not carry
   * it and HEP sends RTCP without the SDP; 8 kHz is the rate of the narrowband voice codecs.
   */
  clockRateHz?: number;
  observerId?: string;
  organizationId?: string;
}

export interface RtcpMediaStats {
  reports: number;
  streams: number;
  evicted: number;
}

interface Stream {
  ssrc: number;
  /** the media sender and its receiver, at their RTCP addresses (what the agent saw) */
  src: HepAddress;
  dst: HepAddress;
  callId?: string;
  firstMs: number;
  lastMs: number;
  packets: number;
  bytes: number;
  lost?: number;
  jitter?: number;
}

const MAX_CALL_ID = 512;

export class RtcpMediaTracker {
  readonly stats: RtcpMediaStats = { reports: 0, streams: 0, evicted: 0 };
  private readonly streams: BoundedMap<string, Stream>;
  private readonly idleMs: number;
  private readonly clockRate: number;
  private out: MediaFlow[] = [];

  constructor(private readonly opts: RtcpMediaOptions = {}) {
    this.idleMs = opts.streamIdleMs ?? 30_000;
    this.clockRate = opts.clockRateHz ?? 8000;
    this.streams = new BoundedMap(opts.maxStreams ?? 50_000, (_k, s) => {
      this.stats.evicted++;
      this.emit(s);
    });
  }

  get size(): number {
    return this.streams.size;
  }

  /** One RTCP report sent from `from` to `to` at `timeMs`. */
  report(r: RtcpReport, from: HepAddress, to: HepAddress, timeMs: number, callId?: string): MediaFlow[] {
    this.stats.reports++;
    // a sender report speaks for the author's own stream, which flows from `from` to `to`
    if (r.sent) {
      const s = this.stream(r.reporterSsrc, from, to, timeMs, callId);
      s.packets = r.sent.packets;
      s.bytes = r.sent.octets;
    }
    // a report block speaks for a stream the author receives, which flows the other way
    for (const b of r.blocks) {
      const s = this.stream(b.ssrc, to, from, timeMs, callId);
      s.lost = b.lost;
      s.jitter = b.jitter;
    }
    return this.advance(timeMs);
  }

  advance(nowMs: number): MediaFlow[] {
    for (const [, s] of this.streams.shiftWhile((s) => nowMs - s.lastMs >= this.idleMs)) this.emit(s);
    return this.drain();
  }

  flush(): MediaFlow[] {
    for (const s of this.streams.values()) this.emit(s);
    this.streams.clear();
    return this.drain();
  }

  private stream(ssrc: number, src: HepAddress, dst: HepAddress, timeMs: number, callId?: string): Stream {
    const key = `${src.ip}|${ssrc}`;
    let s = this.streams.get(key);
    if (!s) {
      s = { ssrc, src: { ...src }, dst: { ...dst }, firstMs: timeMs, lastMs: timeMs, packets: 0, bytes: 0 };
      this.streams.set(key, s);
    } else {
      s.lastMs = Math.max(s.lastMs, timeMs);
      this.streams.touch(key); // most recently reported at the tail: idle expiry reads the head
    }
    if (callId !== undefined && s.callId === undefined) s.callId = callId.slice(0, MAX_CALL_ID);
    return s;
  }

  private emit(s: Stream): void {
    this.stats.streams++;
    const flow: MediaFlow = {
      '@timestamp': toIso(s.firstMs),
      event: { id: stableId('rtcp', s.src.ip, s.src.port, s.ssrc, s.callId ?? '', Math.floor(s.firstMs)), kind: 'event', dataset: 'media.flow' },
      source: { ...s.src },
      destination: { ...s.dst },
      network: { transport: 'udp' },
      media: {
        ssrc: s.ssrc,
        // RTCP cannot tell SRTP from RTP (SRTCP encrypts only the part after the first report);
        // the SDP of the call can, and it arrives as SIP, not here
        srtp: false,
        // without a sender report the counts are unknown: 0, with loss and jitter still reported
        packets: s.packets,
        bytes: s.bytes,
        duration_ms: Math.max(0, s.lastMs - s.firstMs),
      },
    };
    if (s.callId !== undefined) flow.media.call_id = s.callId;
    if (s.lost !== undefined) flow.media.lost = s.lost;
    if (s.jitter !== undefined) flow.media.jitter_ms = (s.jitter / this.clockRate) * 1000;
    if (this.opts.observerId) flow.observer = { id: this.opts.observerId };
    if (this.opts.organizationId) flow.organization = { id: this.opts.organizationId };
    this.out.push(flow);
  }

  private drain(): MediaFlow[] {
    const flows = this.out;
    this.out = [];
    return flows;
  }
}
