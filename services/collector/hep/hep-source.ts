// HEP packets in, flow records out: the live twin of pcap-source. A capture agent (Kamailio
// siptrace, OpenSIPS, FreeSWITCH, rtpengine, captagent) already parsed the IP layer for us and
// tells us addresses, transport and capture time; the payload goes to the same SIP parser and
// transaction correlator as a capture file, and RTCP reports become media flows.
//
//   bytes -> decodeHep -> SIP  (type 1)  -> parseSipMessage -> SipCorrelator -> SipFlow
//                      -> RTCP (type 5)  -> parseRtcp -------> RtcpMediaTracker -> MediaFlow
//
// Event time is the agent's capture time (receive time when it sent none). Refused packets are
// counted by reason and returned as such: the caller dead-letters them.
import type { MediaFlow, SipEvidence, SipFlow, Transport } from '../../core/records';
import { EvidenceSampler, type EvidenceOptions } from '../evidence/sampler';
import { parseSipMessage } from '../sip/parse-message';
import { isKeepAlive } from '../sip/sip-sniff';
import { bump, counterRecord } from '../sip/sip-stats';
import { SipCorrelator, type CorrelatorOptions } from '../sip/transactions';
import { decodeHep, type HepDecodeOptions } from './hep-decode';
import { HEP_PROTOCOL_TYPE, type HepPacket, type HepReject } from './hep-packet';
import { RtcpMediaTracker, type RtcpMediaOptions } from './rtcp-media';
import { parseRtcp } from './rtcp-report';

/** flows, and the evidence records sampled from the SIP messages (when evidence is on) */
export type FlowRecord = SipFlow | MediaFlow | SipEvidence;

export type HepResult = { ok: true; records: FlowRecord[] } | { ok: false; reason: HepReject; detail: string };

export interface HepSourceOptions {
  decode?: HepDecodeOptions;
  observerId?: string;
  organizationId?: string;
  correlator?: Omit<CorrelatorOptions, 'onSdp' | 'stats' | 'observerId' | 'organizationId'>;
  rtcp?: Omit<RtcpMediaOptions, 'observerId' | 'organizationId'>;
  /** sample SIP messages kept as evidence records (services/collector/evidence); absent: none */
  evidence?: Omit<EvidenceOptions, 'capture' | 'observerId' | 'organizationId'>;
  /**
   * A capture time further than this from the receive time is replaced by the receive time (and
   * counted): event time only moves forward, so one agent with a clock a day ahead would
   * otherwise time out every open transaction at once. Unset: agent time is trusted (tests).
   */
  maxClockSkewMs?: number;
  /**
   * A capture time ahead of the receive time by more than this is replaced by the receive time
   * (and counted): a packet stamped in the future would hold event time there, and no open
   * transaction could time out until our clock caught up. Unset: only maxClockSkewMs applies.
   */
  maxFutureMs?: number;
}

export interface HepStats {
  /** packets offered (decoded or not) */
  packets: number;
  /** decoded packets by protocol type name ("sip", "rtcp", or the number) */
  byType: Record<string, number>;
  /** decoded packets of a type we do not turn into records (counted, not dead-lettered) */
  ignored: Record<string, number>;
  /** SIP keep-alives (CRLF) mirrored by the agent */
  keepAlives: number;
  /** capture times replaced by the receive time (see maxClockSkewMs) */
  clockSkew: number;
  /** of those, capture times ahead of the receive time by more than maxFutureMs */
  futureTime: number;
  rejected: Partial<Record<HepReject, number>>;
  sip: SipCorrelator['stats'];
  media: RtcpMediaTracker['stats'];
}

/** IP protocol numbers a SIP flow can name. TLS and WebSocket arrive as 6: HEP cannot tell them apart. */
const TRANSPORT: Readonly<Record<number, Transport>> = { 17: 'udp', 6: 'tcp', 132: 'sctp' };

const TYPE_NAME: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(HEP_PROTOCOL_TYPE).map(([name, n]) => [n, name]));

export class HepSource {
  readonly stats: HepStats;
  private readonly correlator: SipCorrelator;
  private readonly media: RtcpMediaTracker;
  private readonly evidence?: EvidenceSampler;

  constructor(private readonly opts: HepSourceOptions = {}) {
    const context = { ...(opts.observerId && { observerId: opts.observerId }), ...(opts.organizationId && { organizationId: opts.organizationId }) };
    this.correlator = new SipCorrelator({ ...opts.correlator, ...context });
    this.media = new RtcpMediaTracker({ ...opts.rtcp, ...context });
    if (opts.evidence) this.evidence = new EvidenceSampler({ ...opts.evidence, capture: 'hep', ...context });
    this.stats = { packets: 0, byType: counterRecord(), ignored: counterRecord(), keepAlives: 0, clockSkew: 0, futureTime: 0, rejected: {}, sip: this.correlator.stats, media: this.media.stats };
  }

  /** Open transactions and streams, for gauges and memory checks. */
  get sizes(): { transactions: number; streams: number } {
    return { transactions: this.correlator.sizes.open, streams: this.media.size };
  }

  /** One HEP message (a UDP datagram, or a frame cut from a TCP stream), received at `receivedMs`. */
  message(bytes: Buffer, receivedMs: number): HepResult {
    this.stats.packets++;
    const r = decodeHep(bytes, this.opts.decode);
    return r.ok ? this.packet(r.packet, receivedMs) : this.reject(r.reason, r.detail);
  }

  /** Counts a refusal made outside the decoder (listener limits, broken TCP streams). */
  reject(reason: HepReject, detail: string): HepResult {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    return { ok: false, reason, detail };
  }

  /** Let time pass without a packet: timed-out transactions and idle streams come out. */
  advance(nowMs: number): FlowRecord[] {
    return [...this.correlator.advance(nowMs), ...this.media.advance(nowMs)];
  }

  /** End of input: everything open is emitted as it stands. */
  flush(): FlowRecord[] {
    return [...this.correlator.flush(), ...this.media.flush()];
  }

  private packet(p: HepPacket, receivedMs: number): HepResult {
    bump(this.stats.byType, TYPE_NAME[p.protocolType] ?? String(p.protocolType));
    const timeMs = this.eventTime(p.timeMs, receivedMs);
    if (p.protocolType === HEP_PROTOCOL_TYPE.sip) return this.sip(p, timeMs);
    if (p.protocolType === HEP_PROTOCOL_TYPE.rtcp) {
      const r = parseRtcp(p.payload);
      if (!r.ok) return this.reject('rtcp-invalid', r.detail);
      const records: FlowRecord[] = [];
      for (const report of r.reports) records.push(...this.media.report(report, p.src, p.dst, timeMs, p.correlationId));
      return { ok: true, records };
    }
    // QoS/MOS reports, logs, JSON renderings of SIP, other signalling: not flows of ours (yet)
    bump(this.stats.ignored, TYPE_NAME[p.protocolType] ?? String(p.protocolType));
    return { ok: true, records: [] };
  }

  private eventTime(captureMs: number | undefined, receivedMs: number): number {
    if (captureMs === undefined) return receivedMs;
    const limit = this.opts.maxClockSkewMs;
    const future = this.opts.maxFutureMs;
    if (future !== undefined && captureMs - receivedMs > future) {
      this.stats.clockSkew++;
      this.stats.futureTime++;
      return receivedMs;
    }
    if (limit !== undefined && Math.abs(captureMs - receivedMs) > limit) {
      this.stats.clockSkew++;
      return receivedMs;
    }
    return captureMs;
  }

  private sip(p: HepPacket, timeMs: number): HepResult {
    const transport = TRANSPORT[p.ipProtocol];
    if (transport === undefined) return this.reject('unsupported-transport', `IP protocol ${p.ipProtocol}`);
    if (isKeepAlive(p.payload)) {
      this.stats.keepAlives++;
      return { ok: true, records: [] };
    }
    const r = parseSipMessage(p.payload);
    if (!r.ok) {
      this.correlator.noteParseFailure(r.reason);
      return this.reject('sip-invalid', `${r.reason}: ${r.detail}`);
    }
    const meta = { timeMs, src: p.src, dst: p.dst, transport };
    const sample = this.evidence?.offer(r.message, p.payload.subarray(0, r.consumed), meta);
    const flows = this.correlator.push(r.message, meta);
    return { ok: true, records: [...(sample ? [sample] : []), ...flows, ...this.media.advance(timeMs)] };
  }
}
