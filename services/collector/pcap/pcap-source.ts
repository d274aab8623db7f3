// A capture file in, SIP and media flow records out, in event time: the file's timestamps are the
// only clock, so a replay of yesterday's capture produces what a live sensor would have produced.
//
//   pcap-reader -> decode -> UDP  -> SIP parser ----------------> correlator -> SipFlow
//                         -> TCP  -> reassembly -> stream decoder -^   (SIP, WebSocket, TLS count)
//                         -> SCTP -> DATA chunks ----------------^
//                         -> UDP on negotiated media ports -> RTP tracker -> MediaFlow
import type { MediaFlow, SipEvidence, SipFlow } from '../../core/records';
import { EvidenceSampler, type EvidenceOptions } from '../evidence/sampler';
import { parseSipMessage } from '../sip/parse-message';
import type { ParseFailure, SipMessage } from '../sip/sip-message';
import { isKeepAlive, looksLikeSip } from '../sip/sip-sniff';
import { SipCorrelator, type CorrelatorOptions, type PacketMeta } from '../sip/transactions';
import { ByteBudget } from './byte-budget';
import { CaptureError } from './capture-error';
import { countError, createCaptureStats, type CaptureStats } from './capture-stats';
import { PacketDecoder, type TransportPacket } from './decode';
import { readPackets, type ReadOptions } from './pcap-reader';
import { MediaTracker, type MediaTrackerOptions } from './rtp';
import { SctpReassembler } from './sctp';
import { StreamDecoder, type StreamContext } from './stream-decoder';
import { TcpReassembler, type TcpReassemblyOptions } from './tcp-reassembly';
import { TlsSessions } from './tls-sessions';

export interface CaptureOptions {
  /** filled while reading; pass your own to watch it (or read it after the loop) */
  stats?: CaptureStats;
  /** called as the file is read, at most every `progressEveryBytes` (default 1 MiB) */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  progressEveryBytes?: number;
  /**
   * UDP and TCP ports whose payloads are parsed as SIP even when they do not look like it, so
   * garbage sent to a SIP port is counted as a parse error. Elsewhere, SIP is found by its start
   * line. Default 5060 and 5080.
   */
  sipPorts?: readonly number[];
  /** TCP ports of SIP over TLS (counted as encrypted signalling). Default 5061. */
  sipTlsPorts?: readonly number[];
  observerId?: string;
  organizationId?: string;
  correlator?: Omit<CorrelatorOptions, 'onSdp' | 'stats' | 'observerId' | 'organizationId'>;
  /** RTP tracking options, or false to skip media entirely */
  media?: MediaTrackerOptions | false;
  tcp?: Omit<TcpReassemblyOptions, 'budget'>;
  /** bytes held across packets by all TCP streams together (out-of-order data, partial messages). Default 64 MiB. */
  maxBufferedBytes?: number;
  read?: Omit<ReadOptions, 'stats'>;
  /**
   * sample SIP messages kept as evidence records (services/collector/evidence), yielded with the
   * flows; false or absent: none
   */
  evidence?: Omit<EvidenceOptions, 'capture' | 'observerId' | 'organizationId'> | false;
  /** every message that failed to parse, with its bytes when it came in one datagram (dead letters) */
  onMalformed?: (m: { reason: ParseFailure; detail: string; meta: PacketMeta; bytes?: Buffer }) => void;
}

/** Timer work (timeouts, idle streams) runs at most this often in event time. */
const HOUSEKEEPING_MS = 250;

export async function* readCaptureFlows(path: string, opts: CaptureOptions = {}): AsyncGenerator<SipFlow | MediaFlow | SipEvidence> {
  const stats = opts.stats ?? createCaptureStats();
  const sipPorts = new Set(opts.sipPorts ?? [5060, 5080]);
  const out: Array<SipFlow | MediaFlow | SipEvidence> = [];
  const evidence = opts.evidence
    ? new EvidenceSampler({ ...opts.evidence, capture: 'pcap', ...(opts.observerId && { observerId: opts.observerId }), ...(opts.organizationId && { organizationId: opts.organizationId }) })
    : undefined;

  const media =
    opts.media === false
      ? undefined
      : new MediaTracker({ ...opts.media, ...(opts.observerId && { observerId: opts.observerId }), ...(opts.organizationId && { organizationId: opts.organizationId }) }, stats.media);
  const correlator = new SipCorrelator({
    ...opts.correlator,
    ...(opts.observerId && { observerId: opts.observerId }),
    ...(opts.organizationId && { organizationId: opts.organizationId }),
    stats: stats.sip,
    ...(media && { onSdp: (e) => media.register(e) }),
  });

  const onSip = (msg: SipMessage, meta: PacketMeta, raw: Buffer): void => {
    const sample = evidence?.offer(msg, raw, meta);
    if (sample) out.push(sample);
    for (const f of correlator.push(msg, meta)) out.push(f);
  };
  const onSipError = (reason: ParseFailure, meta: PacketMeta, detail = '', bytes?: Buffer): void => {
    correlator.noteParseFailure(reason);
    countError(stats, `sip/${reason}`);
    opts.onMalformed?.({ reason, detail, meta, ...(bytes ? { bytes } : {}) });
  };

  const tls = new TlsSessions(stats.tls, new Set(opts.sipTlsPorts ?? [5061]));
  const budget = new ByteBudget(opts.maxBufferedBytes ?? 64 * 1024 * 1024);
  const streamContext: StreamContext = {
    sinks: { sip: onSip, sipError: onSipError },
    tls,
    websocket: stats.websocket,
    kinds: stats.tcp.streams,
    sipPorts,
    budget,
  };
  const tcp = new TcpReassembler((dir) => new StreamDecoder(dir, streamContext), stats.tcp, { ...opts.tcp, budget });
  const sctp = new SctpReassembler();
  const decoder = new PacketDecoder({ fragmentStats: stats.fragments });

  const datagram = (payload: Buffer, meta: PacketMeta): void => {
    const r = parseSipMessage(payload);
    if (r.ok) onSip(r.message, meta, payload.subarray(0, r.consumed));
    else onSipError(r.reason, meta, r.detail, payload);
  };

  const udp = (p: TransportPacket, timeMs: number): void => {
    const onSipPort = sipPorts.has(p.dstPort) || sipPorts.has(p.srcPort);
    if (onSipPort && isKeepAlive(p.payload)) {
      stats.sip.keepAlives++;
      return;
    }
    const meta: PacketMeta = { timeMs, src: { ip: p.src, port: p.srcPort }, dst: { ip: p.dst, port: p.dstPort }, transport: 'udp' };
    if (looksLikeSip(p.payload)) {
      stats.udp.sip++;
      datagram(p.payload, meta);
    } else if (media?.packet({ timeMs, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort, payload: p.payload })) {
      stats.udp.media++;
    } else if (onSipPort) {
      stats.udp.sip++; // not SIP-looking, but sent to a SIP port: parse it so the garbage is counted
      datagram(p.payload, meta);
    } else stats.udp.other++;
  };

  const sctpPacket = (p: TransportPacket, timeMs: number): void => {
    const flowKey = `${p.src}|${p.srcPort}|${p.dst}|${p.dstPort}`;
    for (const chunk of p.sctp ?? []) {
      stats.sctp.dataChunks++;
      const message = sctp.push(flowKey, chunk);
      if (!message) continue;
      stats.sctp.messages++;
      if (looksLikeSip(message) || sipPorts.has(p.dstPort) || sipPorts.has(p.srcPort)) {
        // the capture does not follow the association (its handshake and verification tags), so a
        // DATA chunk injected with a forged source would look the same: it proves nothing
        datagram(message, { timeMs, src: { ip: p.src, port: p.srcPort }, dst: { ip: p.dst, port: p.dstPort }, transport: 'sctp', connectionProven: false });
      }
    }
    stats.sctp.dropped = sctp.dropped;
  };

  let nextHousekeeping = -Infinity;
  const housekeeping = (timeMs: number): void => {
    if (timeMs < nextHousekeeping) return;
    nextHousekeeping = timeMs + HOUSEKEEPING_MS;
    for (const f of correlator.advance(timeMs)) out.push(f);
    if (media) for (const f of media.expire(timeMs)) out.push(f);
    tcp.expire(timeMs);
  };

  const progressEvery = opts.progressEveryBytes ?? 1 << 20;
  let nextProgress = 0;
  let failure: unknown;
  try {
    for await (const pkt of readPackets(path, { ...opts.read, stats: stats.file })) {
      stats.packets++;
      try {
        const r = decoder.decode(pkt.linkType, pkt.data, pkt.timeMs);
        if (!r.ok) {
          stats.skipped[r.skip] = (stats.skipped[r.skip] ?? 0) + 1;
          if (r.skip === 'truncated' || r.skip === 'bad-ip') countError(stats, `decode/${r.skip}`);
        } else {
          const p = r.packet;
          stats.decoded[p.protocol]++;
          if (p.protocol === 'udp') udp(p, pkt.timeMs);
          else if (p.protocol === 'tcp') tcp.push({ timeMs: pkt.timeMs, src: p.src, srcPort: p.srcPort, dst: p.dst, dstPort: p.dstPort, seq: p.seq, ack: p.ack, flags: p.flags, payload: p.payload });
          else sctpPacket(p, pkt.timeMs);
        }
        housekeeping(pkt.timeMs);
      } catch {
        // A bug met by one packet must not end a long replay: count it (tests require zero) and go on.
        countError(stats, 'internal/packet');
      }
      if (opts.onProgress && stats.file.bytesRead >= nextProgress) {
        nextProgress = stats.file.bytesRead + progressEvery;
        opts.onProgress(stats.file.bytesRead, stats.file.totalBytes);
      }
      if (out.length > 0) yield* out.splice(0, out.length);
    }
  } catch (err) {
    // Whatever was read still becomes records; then the caller learns why the file ended.
    failure = err;
    countError(stats, err instanceof CaptureError ? `capture/${err.code}` : 'internal/reader');
  }
  tcp.flush();
  for (const f of correlator.flush()) out.push(f);
  if (media) for (const f of media.flush()) out.push(f);
  if (stats.tcp.gaps > 0) stats.errors['tcp/gap'] = stats.tcp.gaps;
  stats.tcp.budgetOverruns = budget.overruns;
  if (budget.overruns > 0) stats.errors['tcp/budget'] = budget.overruns;
  stats.tls.sessions = tls.list();
  opts.onProgress?.(stats.file.bytesRead, stats.file.totalBytes);
  yield* out.splice(0, out.length);
  if (failure !== undefined) throw failure;
}
