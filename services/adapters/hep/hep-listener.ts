// The HEP collector's network edge: a UDP socket and a TCP server (default 127.0.0.1:9060) that
// feed one HepSource. Every limit is explicit, because the senders are on the network: datagram
// size, connections, bytes buffered per connection, idle connections, records waiting for the bus.
// Records and refusals leave through callbacks, in arrival order; the caller owns the bus (it
// validates with Ingest and dead-letters refusals).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../core/clock';
import type { MetricsRegistry } from '../../core/metrics';
import type { Logger } from '../../core/ports';
import type { HepReject } from '../../collector/hep/hep-packet';
import { HepSource, type FlowRecord, type HepResult, type HepSourceOptions, type HepStats } from '../../collector/hep/hep-source';
import { HepStreamFramer } from '../../collector/hep/hep-stream-framer';

export interface HepEndpoint {
  host: string;
  /** 0 picks a free port (tests); the bound one is in `addresses` */
  port: number;
}

export interface HepLimits {
  /** larger datagrams are refused as oversized. Default 65,535 (a HEP3 length is 16 bits). */
  maxDatagramBytes: number;
  /** TCP connections at once; more are closed by the server. Default 256. */
  maxConnections: number;
  /** bytes one TCP connection may hold between messages. Default 65,535. */
  maxConnectionBufferBytes: number;
  /** a TCP connection silent this long is closed. Default 5 min. */
  idleTimeoutMs: number;
  /** records and refusals handed to the callbacks and not yet settled; beyond, refused. Default 10,000. */
  maxPending: number;
  /** how often timed-out transactions and idle streams are emitted. Default 1 s. */
  advanceEveryMs: number;
  /** agent capture times further than this from our clock are replaced by it. Default 5 min. */
  maxClockSkewMs: number;
}

export interface HepCollectorOptions {
  /** UDP listener; when neither udp nor tcp is given, UDP on 127.0.0.1:9060 */
  udp?: HepEndpoint;
  tcp?: HepEndpoint;
  /** when set, packets must carry this HEP3 authentication key (chunk 0x000e) */
  authKey?: string;
  /** sensor id written into every record (observer.id) */
  observerId?: string;
  organizationId?: string;
  onRecord: (record: FlowRecord) => void | Promise<void>;
  /** `raw` is the refused HEP message (or the TCP read that broke the stream) */
  onReject: (reason: HepReject, detail: string, raw: Buffer) => void | Promise<void>;
  log: Logger;
  metrics: MetricsRegistry;
  clock?: Clock;
  limits?: Partial<HepLimits>;
  source?: Omit<HepSourceOptions, 'decode' | 'observerId' | 'organizationId'>;
}

export interface HepCollector {
  addresses: { udp?: AddressInfo; tcp?: AddressInfo };
  /** live counters: packets, by type, refused by reason, SIP and media */
  stats: HepStats;
  /** closes sockets, emits what is still open (as at the end of a capture), settles the callbacks */
  stop(): Promise<void>;
}

export const DEFAULT_HEP_ENDPOINT: HepEndpoint = { host: '127.0.0.1', port: 9060 };

const DEFAULT_LIMITS: HepLimits = {
  maxDatagramBytes: 65_535,
  maxConnections: 256,
  maxConnectionBufferBytes: 65_535,
  idleTimeoutMs: 300_000,
  maxPending: 10_000,
  advanceEveryMs: 1000,
  maxClockSkewMs: 300_000,
};

export async function startHepCollector(opts: HepCollectorOptions): Promise<HepCollector> {
  const limits: HepLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const clock = opts.clock ?? systemClock;
  const log = opts.log.child({ component: 'hep' });
  const source = new HepSource({
    ...opts.source,
    maxClockSkewMs: limits.maxClockSkewMs,
    ...(opts.authKey !== undefined && { decode: { authKey: opts.authKey } }),
    ...(opts.observerId && { observerId: opts.observerId }),
    ...(opts.organizationId && { organizationId: opts.organizationId }),
  });
  const packets = opts.metrics.counter('callsentry_hep_packets_total', 'HEP messages received, by transport');
  const refused = opts.metrics.counter('callsentry_hep_rejected_total', 'HEP messages refused, by reason');
  const produced = opts.metrics.counter('callsentry_hep_records_total', 'Flow records made from HEP, by dataset');
  const connections = opts.metrics.gauge('callsentry_hep_connections', 'Open HEP TCP connections');

  // One chain keeps callbacks in arrival order; `pending` bounds it when the bus falls behind.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const settle = (work: () => void | Promise<void>): void => {
    pending++;
    chain = chain
      .then(work)
      .catch((err: unknown) => log.error({ err }, 'hep callback failed'))
      .finally(() => void pending--);
  };
  const reject = (reason: HepReject, detail: string, raw: Buffer): void => {
    refused.inc({ reason });
    // a flood of garbage while the bus is slow: still counted (stats, metric), not queued
    if (pending < limits.maxPending) settle(() => opts.onReject(reason, detail, raw));
  };
  const deliver = (records: readonly FlowRecord[]): void => {
    for (const record of records) {
      if (pending >= limits.maxPending) {
        // the bus is behind: refused and counted (stats, metric, a warning per thousand), since
        // queueing would grow without bound and a dead-letter would wait in the same queue
        const r = source.reject('backpressure', `${pending} callbacks waiting`);
        refused.inc({ reason: 'backpressure' });
        if ((source.stats.rejected.backpressure ?? 0) % 1000 === 1) log.warn({ pending, refused: source.stats.rejected.backpressure, detail: !r.ok && r.detail }, 'hep records refused: bus behind');
        continue;
      }
      produced.inc({ dataset: record.event.dataset === 'sip.flow' ? 'sip' : 'media' });
      settle(() => opts.onRecord(record));
    }
  };
  const message = (bytes: Buffer, transport: 'udp' | 'tcp'): void => {
    packets.inc({ transport });
    let r: HepResult;
    try {
      r = source.message(bytes, clock.now());
    } catch (err) {
      log.error({ err }, 'hep packet hit a bug');
      r = source.reject('internal', String((err as Error).message).slice(0, 200));
    }
    if (r.ok) deliver(r.records);
    else reject(r.reason, r.detail, bytes);
  };

  const udp = opts.udp ?? (opts.tcp ? undefined : DEFAULT_HEP_ENDPOINT);
  let udpSocket: UdpSocket | undefined;
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const addresses: HepCollector['addresses'] = {};
  try {
    if (udp) {
      const socket = (udpSocket = createSocket(isIPv6(udp.host) ? 'udp6' : 'udp4'));
      socket.on('message', (msg) => {
        if (msg.length > limits.maxDatagramBytes) {
          packets.inc({ transport: 'udp' });
          const detail = `${msg.length} bytes, limit ${limits.maxDatagramBytes}`;
          source.reject('oversized', detail);
          reject('oversized', detail, msg.subarray(0, 256));
        } else message(msg, 'udp');
      });
      socket.on('error', (err) => log.warn({ err }, 'hep udp socket error'));
      addresses.udp = await new Promise<AddressInfo>((resolve, rejectBind) => {
        socket.once('error', rejectBind);
        socket.bind(udp.port, udp.host, () => {
          socket.off('error', rejectBind);
          resolve(socket.address());
        });
      });
    }
    if (opts.tcp) {
      const tcp = opts.tcp;
      const srv = (server = createServer((conn) => accept(conn)));
      srv.maxConnections = limits.maxConnections;
      addresses.tcp = await new Promise<AddressInfo>((resolve, rejectListen) => {
        srv.once('error', rejectListen);
        srv.listen(tcp.port, tcp.host, () => {
          srv.off('error', rejectListen);
          resolve(srv.address() as AddressInfo);
        });
      });
      srv.on('error', (err) => log.warn({ err }, 'hep tcp server error'));
    }
  } catch (err) {
    udpSocket?.close();
    server?.close();
    throw err;
  }

  function accept(conn: Socket): void {
    sockets.add(conn);
    connections.set({}, sockets.size);
    const framer = new HepStreamFramer(limits.maxConnectionBufferBytes);
    conn.setTimeout(limits.idleTimeoutMs, () => conn.destroy());
    conn.on('data', (data: Buffer) => {
      const r = framer.push(data);
      for (const frame of r.frames) message(frame, 'tcp');
      if (!r.ok) {
        source.reject(r.reason, r.detail);
        reject(r.reason, `${r.detail} (from ${conn.remoteAddress}:${conn.remotePort})`, data.subarray(0, 256));
        conn.destroy(); // after a framing lie the next boundary cannot be found
      }
    });
    conn.on('error', (err) => log.debug({ err, peer: conn.remoteAddress }, 'hep connection error'));
    conn.on('close', () => {
      sockets.delete(conn);
      connections.set({}, sockets.size);
    });
  }

  const timer = setInterval(() => deliver(source.advance(clock.now())), limits.advanceEveryMs);
  timer.unref();
  log.info({ udp: addresses.udp, tcp: addresses.tcp, auth: opts.authKey !== undefined }, 'hep collector listening');

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      clearInterval(timer);
      const closing: Array<Promise<void>> = [];
      if (udpSocket) {
        const s = udpSocket;
        closing.push(new Promise((resolve) => s.close(() => resolve())));
      }
      if (server) {
        const srv = server;
        closing.push(new Promise((resolve) => srv.close(() => resolve())));
        for (const conn of sockets) conn.destroy();
      }
      await Promise.all(closing);
      deliver(source.flush());
      await chain;
      log.info({ packets: source.stats.packets, rejected: source.stats.rejected }, 'hep collector stopped');
    })());

  return { addresses, stats: source.stats, stop };
}
