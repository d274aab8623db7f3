// The HEP collector's network edge: a UDP socket and a TCP server (default 127.0.0.1:9060) that
// feed one HepSource. Every limit is explicit, because the senders are on the network: datagram
// size, connections (in all and per source address), bytes buffered per connection, time to finish
// a message, idle connections, records waiting for the bus. Records and refusals leave through
// callbacks, in arrival order; the caller owns the bus (it validates with Ingest and dead-letters
// refusals).
//
// Whoever reaches the port chooses the addresses a flow names, so beyond loopback packets must
// carry the auth key, unless the caller says in so many words that they need not.
//
// When the bus falls behind, reading stops instead of dropping what was read: TCP connections are
// paused (the agents' kernels buffer and then slow the senders), and UDP datagrams that arrive
// meanwhile are dropped before they are decoded and counted (as the kernel counts its own drops,
// which are exported too). A record that was parsed is always delivered, at shutdown too.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../../core/clock';
import type { MetricsRegistry } from '../../core/metrics';
import type { Logger } from '../../core/ports';
import { parseIp } from '../../core/cidr';
import { CallsentryError } from '../../core/errors';
import type { HepReject } from '../../collector/hep/hep-packet';
import { HepSource, type FlowRecord, type HepResult, type HepSourceOptions, type HepStats } from '../../collector/hep/hep-source';
import { HepStreamFramer } from '../../collector/hep/hep-stream-framer';
import { udpKernelDrops } from './udp-kernel-drops';

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
  /** TCP connections at once from one source address; more are closed. Default 8. */
  maxConnectionsPerSource: number;
  /** a TCP connection that completes no message this long is closed (bytes that trickle in do not count). Default 5 min. */
  idleTimeoutMs: number;
  /** a message whose first bytes arrived must be complete within this. Default 10 s. */
  messageDeadlineMs: number;
  /** records and refusals handed to the callbacks and not yet settled; beyond, reading stops. Default 10,000. */
  maxPending: number;
  /** how often timed-out transactions and idle streams are emitted. Default 1 s. */
  advanceEveryMs: number;
  /** agent capture times further than this from our clock are replaced by it. Default 5 min. */
  maxClockSkewMs: number;
  /** agent capture times ahead of our clock by more than this are replaced by it. Default 2 s. */
  maxFutureMs: number;
}

export interface HepCollectorOptions {
  /** UDP listener; when neither udp nor tcp is given, UDP on 127.0.0.1:9060 */
  udp?: HepEndpoint;
  tcp?: HepEndpoint;
  /** when set, packets must carry this HEP3 authentication key (chunk 0x000e); required beyond loopback */
  authKey?: string;
  /** listen beyond loopback without an auth key (anyone who reaches the port forges flows) */
  allowUnauthenticated?: boolean;
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
  maxConnectionsPerSource: 8,
  maxConnectionBufferBytes: 65_535,
  idleTimeoutMs: 300_000,
  messageDeadlineMs: 10_000,
  maxPending: 10_000,
  advanceEveryMs: 1000,
  maxClockSkewMs: 300_000,
  maxFutureMs: 2000,
};

/** Whose connection this is, for the limit per source: an IPv6 host owns a whole /64, so it counts as one. */
export function sourceKey(address: string): string {
  const p = parseIp(address);
  if (!p) return address;
  return p.version === 4 ? `4:${p.value}` : `6:${p.value >> 64n}`;
}

/** An address only this host can send from. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Refuses a HEP listener beyond loopback without an auth key: whoever reaches it chooses the addresses of flows. */
export function refuseUnauthenticatedBind(endpoints: { udp?: { host: string; port: number }; tcp?: { host: string; port: number } }, hasKey: boolean, allowed: boolean): void {
  if (hasKey || allowed) return;
  for (const [name, e] of [['udp', endpoints.udp], ['tcp', endpoints.tcp]] as const) {
    if (e && !isLoopback(e.host)) {
      throw new CallsentryError('BAD_CONFIG', `HEP ${name} listener ${e.host}:${e.port} is not loopback and no auth key is set: whoever reaches it chooses the addresses of flows. Set --hep-auth-key-env, listen on 127.0.0.1, or pass --hep-allow-unauthenticated`);
    }
  }
}

export async function startHepCollector(opts: HepCollectorOptions): Promise<HepCollector> {
  const limits: HepLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const clock = opts.clock ?? systemClock;
  const log = opts.log.child({ component: 'hep' });
  const udp = opts.udp ?? (opts.tcp ? undefined : DEFAULT_HEP_ENDPOINT);
  refuseUnauthenticatedBind({ udp, tcp: opts.tcp }, opts.authKey !== undefined, opts.allowUnauthenticated === true);
  const source = new HepSource({
    ...opts.source,
    maxClockSkewMs: limits.maxClockSkewMs,
    maxFutureMs: limits.maxFutureMs,
    ...(opts.authKey !== undefined && { decode: { authKey: opts.authKey } }),
    ...(opts.observerId && { observerId: opts.observerId }),
    ...(opts.organizationId && { organizationId: opts.organizationId }),
  });
  const packets = opts.metrics.counter('callsentry_hep_packets_total', 'HEP messages received, by transport');
  const refused = opts.metrics.counter('callsentry_hep_rejected_total', 'HEP messages refused, by reason');
  const produced = opts.metrics.counter('callsentry_hep_records_total', 'Flow records made from HEP, by dataset');
  const connections = opts.metrics.gauge('callsentry_hep_connections', 'Open HEP TCP connections');
  const closedConnections = opts.metrics.counter('callsentry_hep_connections_closed_total', 'HEP TCP connections closed by the collector, by reason (per-source, idle, message-deadline)');
  const udpDropped = opts.metrics.counter('callsentry_hep_udp_dropped_total', 'HEP datagrams dropped unread while the bus was behind');
  let droppedUdp = 0;
  const kernelDrops = opts.metrics.gauge('callsentry_hep_udp_kernel_drops', "Datagrams the kernel dropped on the HEP UDP socket (its receive buffer was full), from /proc/net/udp");
  const futureTimes = opts.metrics.counter('callsentry_hep_future_time_total', 'HEP capture times ahead of our clock by more than the limit, replaced by the receive time, by sensor');
  const paused = opts.metrics.gauge('callsentry_hep_reading_paused', '1 while the collector has stopped reading because the bus is behind');

  // One chain keeps callbacks in arrival order. Past maxPending reading stops (TCP paused, UDP
  // dropped unread) and resumes at half of it; what was read is always queued.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let reading = true;
  const sockets = new Set<Socket>();
  const flow = (): void => {
    if (reading && pending >= limits.maxPending) {
      reading = false;
      paused.set({}, 1);
      for (const conn of sockets) conn.pause();
      log.warn({ pending }, 'hep reading paused: bus behind');
    } else if (!reading && pending <= limits.maxPending / 2) {
      reading = true;
      paused.set({}, 0);
      for (const conn of sockets) conn.resume();
      log.info({ pending, udp_dropped: droppedUdp }, 'hep reading resumed');
    }
  };
  const settle = (work: () => void | Promise<void>): void => {
    pending++;
    flow();
    chain = chain
      .then(work)
      .catch((err: unknown) => log.error({ err }, 'hep callback failed'))
      .finally(() => {
        pending--;
        flow();
      });
  };
  const reject = (reason: HepReject, detail: string, raw: Buffer): void => {
    refused.inc({ reason });
    settle(() => opts.onReject(reason, detail, raw));
  };
  const deliver = (records: readonly FlowRecord[]): void => {
    for (const record of records) {
      produced.inc({ dataset: record.event.dataset === 'sip.flow' ? 'sip' : 'media' });
      settle(() => opts.onRecord(record));
    }
  };
  const sensor = opts.observerId ?? 'default';
  const message = (bytes: Buffer, transport: 'udp' | 'tcp'): void => {
    packets.inc({ transport });
    let r: HepResult;
    const future = source.stats.futureTime;
    try {
      r = source.message(bytes, clock.now());
    } catch (err) {
      log.error({ err }, 'hep packet hit a bug');
      r = source.reject('internal', String((err as Error).message).slice(0, 200));
    }
    if (source.stats.futureTime !== future) futureTimes.inc({ sensor });
    if (r.ok) deliver(r.records);
    else reject(r.reason, r.detail, bytes);
  };

  let udpSocket: UdpSocket | undefined;
  let server: Server | undefined;
  const perSource = new Map<string, number>();
  const addresses: HepCollector['addresses'] = {};
  try {
    if (udp) {
      const socket = (udpSocket = createSocket(isIPv6(udp.host) ? 'udp6' : 'udp4'));
      socket.on('message', (msg) => {
        if (!reading) {
          // UDP cannot be paused: dropped unread, counted (and the kernel counts what it drops)
          udpDropped.inc();
          droppedUdp++;
          return;
        }
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
    const peer = conn.remoteAddress ?? 'unknown';
    const fromPeer = (perSource.get(sourceKey(peer)) ?? 0) + 1;
    if (fromPeer > limits.maxConnectionsPerSource) {
      closedConnections.inc({ reason: 'per-source' });
      log.debug({ peer, limit: limits.maxConnectionsPerSource }, 'hep connection refused: too many from this address');
      conn.destroy();
      return;
    }
    perSource.set(sourceKey(peer), fromPeer);
    sockets.add(conn);
    connections.set({}, sockets.size);
    if (!reading) conn.pause();
    const framer = new HepStreamFramer(limits.maxConnectionBufferBytes);
    const close = (reason: 'idle' | 'message-deadline') => () => {
      // a connection we stopped reading cannot finish a message: its clocks wait for us
      if (!reading) return void timers[reason === 'idle' ? 0 : 1]?.refresh();
      closedConnections.inc({ reason });
      log.debug({ peer, reason, buffered: framer.buffered }, 'hep connection closed');
      conn.destroy();
    };
    // [idle: reset only by a complete message, message deadline: runs while a message is incomplete]
    const timers: [NodeJS.Timeout, NodeJS.Timeout | undefined] = [setTimeout(close('idle'), limits.idleTimeoutMs), undefined];
    conn.on('data', (data: Buffer) => {
      const r = framer.push(data);
      for (const frame of r.frames) message(frame, 'tcp');
      if (r.frames.length > 0) {
        timers[0].refresh();
        if (timers[1]) clearTimeout(timers[1]);
        timers[1] = undefined;
      }
      if (framer.buffered > 0 && !timers[1]) timers[1] = setTimeout(close('message-deadline'), limits.messageDeadlineMs);
      if (!r.ok) {
        source.reject(r.reason, r.detail);
        reject(r.reason, `${r.detail} (from ${conn.remoteAddress}:${conn.remotePort})`, data.subarray(0, 256));
        conn.destroy(); // after a framing lie the next boundary cannot be found
      }
    });
    conn.on('error', (err) => log.debug({ err, peer }, 'hep connection error'));
    conn.on('close', () => {
      clearTimeout(timers[0]);
      if (timers[1]) clearTimeout(timers[1]);
      const left = (perSource.get(sourceKey(peer)) ?? 1) - 1;
      if (left > 0) perSource.set(sourceKey(peer), left);
      else perSource.delete(sourceKey(peer));
      sockets.delete(conn);
      connections.set({}, sockets.size);
    });
  }

  const timer = setInterval(() => {
    deliver(source.advance(clock.now()));
    const drops = addresses.udp ? udpKernelDrops(addresses.udp.port) : undefined;
    if (drops !== undefined) kernelDrops.set({}, drops);
  }, limits.advanceEveryMs);
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
      // every open transaction leaves as timed out: queued whole, never refused
      deliver(source.flush());
      await chain;
      log.info({ packets: source.stats.packets, rejected: source.stats.rejected }, 'hep collector stopped');
    })());

  return { addresses, stats: source.stats, stop };
}
