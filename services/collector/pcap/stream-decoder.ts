// What one direction of a TCP connection carries, decided from its first bytes: SIP (framed by
// Content-Length), an HTTP upgrade followed by WebSocket frames carrying SIP, TLS (counted, not
// read), or something else (ignored). A direction that joins mid-stream on a SIP port hunts for
// the next start line instead of giving up.
import type { Transport } from '../../core/records';
import { parseSipMessage } from '../sip/parse-message';
import type { ParseFailure, SipMessage } from '../sip/sip-message';
import { isKeepAlive, looksLikeSip } from '../sip/sip-sniff';
import type { PacketMeta } from '../sip/transactions';
import type { ByteBudget } from './byte-budget';
import { SipStreamFramer } from './sip-stream';
import type { TcpDirection, TcpStreamHandler } from './tcp-reassembly';
import { looksLikeTls, TlsRecordReader } from './tls-records';
import type { TlsSessions } from './tls-sessions';
import { WebSocketDecoder, type WebSocketStats } from './websocket';

export interface StreamSinks {
  /** `raw`: the message's bytes, a view valid only during the call */
  sip(msg: SipMessage, meta: PacketMeta, raw: Buffer): void;
  sipError(reason: ParseFailure, meta: PacketMeta): void;
}

/** Directions per detected content. */
export interface StreamKinds {
  sip: number;
  websocket: number;
  tls: number;
  other: number;
}

export function createStreamKinds(): StreamKinds {
  return { sip: 0, websocket: 0, tls: 0, other: 0 };
}

export interface StreamContext {
  sinks: StreamSinks;
  tls: TlsSessions;
  websocket: WebSocketStats;
  kinds: StreamKinds;
  /** ports where TCP is taken as SIP even when the first bytes say nothing */
  sipPorts: ReadonlySet<number>;
  /** shared with the TCP reassembler: caps the bytes held by unfinished messages */
  budget?: ByteBudget;
}

type Mode = 'probe' | 'http' | 'sip' | 'ws' | 'tls' | 'other';

const MAX_PROBES = 8;
const MAX_HTTP_HEADER = 8 * 1024;
const EMPTY = Buffer.alloc(0);

export class StreamDecoder implements TcpStreamHandler {
  private mode: Mode = 'probe';
  private probes = 0;
  private http: Buffer = EMPTY;
  private framer?: SipStreamFramer;
  private ws?: WebSocketDecoder;
  private tls?: TlsRecordReader;
  private now = 0;

  constructor(
    private readonly dir: TcpDirection,
    private readonly ctx: StreamContext,
  ) {}

  data(bytes: Buffer, timeMs: number): void {
    this.now = timeMs;
    switch (this.mode) {
      case 'probe':
        return this.probe(bytes);
      case 'http':
        return this.upgrade(bytes);
      case 'sip':
        return this.framer!.push(bytes);
      case 'ws':
        if (!this.ws!.push(bytes)) this.mode = 'other';
        return;
      case 'tls':
        if (!this.tls!.push(bytes, timeMs)) this.mode = 'other';
        return;
      default:
        return;
    }
  }

  gap(timeMs: number): void {
    this.now = timeMs;
    if (this.mode === 'sip') this.framer!.gap();
    // WebSocket and TLS framing cannot be found again after a hole
    else if (this.mode === 'ws' || this.mode === 'tls' || this.mode === 'http') this.mode = 'other';
  }

  end(timeMs: number): void {
    this.now = timeMs;
    this.framer?.end();
  }

  private meta(transport: Transport): PacketMeta {
    const { src, srcPort, dst, dstPort, connection } = this.dir;
    return { timeMs: this.now, src: { ip: src, port: srcPort }, dst: { ip: dst, port: dstPort }, transport, connectionProven: connection.proven };
  }

  private startSip(hunting: boolean): SipStreamFramer {
    this.mode = 'sip';
    this.ctx.kinds.sip++;
    this.framer = new SipStreamFramer(
      {
        message: (msg, raw) => this.ctx.sinks.sip(msg, this.meta('tcp'), raw),
        error: (reason) => this.ctx.sinks.sipError(reason, this.meta('tcp')),
      },
      undefined,
      this.ctx.budget,
    );
    if (hunting) this.framer.gap();
    return this.framer;
  }

  private probe(bytes: Buffer): void {
    if (isKeepAlive(bytes)) return;
    if (looksLikeTls(bytes)) {
      this.mode = 'tls';
      this.ctx.kinds.tls++;
      this.tls = new TlsRecordReader(this.ctx.tls.direction(this.dir));
      this.data(bytes, this.now);
      return;
    }
    if (startsWith(bytes, 'GET ') || startsWith(bytes, 'HTTP/1.1 101') || startsWith(bytes, 'HTTP/1.0 101')) {
      this.mode = 'http';
      this.upgrade(bytes);
      return;
    }
    if (looksLikeSip(bytes)) {
      this.startSip(false).push(bytes);
      return;
    }
    if (this.ctx.sipPorts.has(this.dir.dstPort) || this.ctx.sipPorts.has(this.dir.srcPort)) {
      this.startSip(true).push(bytes); // joined mid-message: hunt for the next start line
      return;
    }
    if (++this.probes >= MAX_PROBES) {
      this.mode = 'other';
      this.ctx.kinds.other++;
    }
  }

  /** HTTP headers of a WebSocket upgrade (request from the client, 101 from the server). */
  private upgrade(bytes: Buffer): void {
    this.http = this.http.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.http, bytes]);
    const end = this.http.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.http.length > MAX_HTTP_HEADER) this.giveUp();
      return;
    }
    const head = this.http.toString('latin1', 0, end).toLowerCase();
    const rest = this.http.subarray(end + 4);
    this.http = EMPTY;
    const isUpgrade = head.startsWith('http/1.') || /\r\nupgrade:\s*websocket/.test(head);
    if (!isUpgrade) return this.giveUp();
    this.mode = 'ws';
    this.ctx.kinds.websocket++;
    this.ws = new WebSocketDecoder((payload) => this.onWebSocketMessage(payload), this.ctx.websocket);
    if (rest.length > 0) this.data(rest, this.now);
  }

  private onWebSocketMessage(payload: Buffer): void {
    if (!looksLikeSip(payload)) return; // another subprotocol on the same connection
    const r = parseSipMessage(payload);
    if (r.ok) this.ctx.sinks.sip(r.message, this.meta('ws'), payload.subarray(0, r.consumed));
    else this.ctx.sinks.sipError(r.reason, this.meta('ws'));
  }

  private giveUp(): void {
    this.mode = 'other';
    this.http = EMPTY;
    this.ctx.kinds.other++;
  }
}

function startsWith(b: Buffer, text: string): boolean {
  return b.length >= text.length && b.toString('latin1', 0, text.length) === text;
}
