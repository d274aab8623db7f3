// Everything readCaptureFlows counts, in one plain object: what was read, what was decoded or
// skipped and why, what each protocol layer saw, and every error by reason.
import { counterRecord, createSipStats, type SipStats } from '../sip/sip-stats';
import type { SkipReason } from './decode';
import { createDefragStats, type DefragStats } from './ip-fragments';
import { createReaderStats, type ReaderStats } from './pcap-reader';
import { createMediaStats, type MediaStats } from './rtp';
import { createStreamKinds, type StreamKinds } from './stream-decoder';
import { createTcpStats, type TcpStats } from './tcp-reassembly';
import { createTlsStats, type TlsSession, type TlsStats } from './tls-sessions';
import { createWebSocketStats, type WebSocketStats } from './websocket';

export interface CaptureStats {
  file: ReaderStats;
  packets: number;
  decoded: { udp: number; tcp: number; sctp: number };
  skipped: Partial<Record<SkipReason, number>>;
  sip: SipStats & {
    /** CRLF / NUL keep-alives on SIP ports */
    keepAlives: number;
  };
  udp: { sip: number; media: number; other: number };
  tcp: TcpStats & {
    streams: StreamKinds;
    /** buffered data dropped because the shared byte budget was spent */
    budgetOverruns: number;
  };
  websocket: WebSocketStats;
  tls: TlsStats & { sessions: TlsSession[] };
  sctp: { dataChunks: number; messages: number; dropped: number };
  fragments: DefragStats;
  media: MediaStats;
  /** every problem by "<layer>/<reason>": sip/bad-header, decode/truncated, tcp/gap, capture/corrupt ...; internal/* is a bug */
  errors: Record<string, number>;
}

export function createCaptureStats(): CaptureStats {
  return {
    file: createReaderStats(),
    packets: 0,
    decoded: { udp: 0, tcp: 0, sctp: 0 },
    skipped: {},
    sip: { ...createSipStats(), keepAlives: 0 },
    udp: { sip: 0, media: 0, other: 0 },
    tcp: { ...createTcpStats(), streams: createStreamKinds(), budgetOverruns: 0 },
    websocket: createWebSocketStats(),
    tls: { ...createTlsStats(), sessions: [] },
    sctp: { dataChunks: 0, messages: 0, dropped: 0 },
    fragments: createDefragStats(),
    media: createMediaStats(),
    errors: counterRecord(),
  };
}

export function countError(stats: CaptureStats, key: string): void {
  stats.errors[key] = (stats.errors[key] ?? 0) + 1;
}
