// The SIP redirect server: UDP and TCP on one port (verdicts.sip_listen). Messages are parsed by the
// collector's SIP parser (bounded, never throws); what it refuses is counted and dropped on UDP,
// and closes the connection on TCP (a byte stream cannot be resynchronised after garbage). Beyond
// loopback only the proxies in verdicts.sip_clients are answered; others get 403.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';
import { CidrSet } from '../core/cidr';
import { CallsentryError } from '../core/errors';
import type { Logger } from '../core/ports';
import { DEFAULT_SIP_LIMITS, parseSipMessage, type SipMessage } from '../collector/sip';
import { answerSip } from './sip-answer';
import { isLoopback } from './listen-address';
import type { CallQuery, Verdict } from './verdict';

export interface VerdictSipOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** beyond loopback: who may ask */
  clients: string[];
  decide(q: CallQuery): Verdict;
  onRefused(reason: string): void;
  log: Logger;
  maxConnections?: number;
  idleSeconds?: number;
}

export interface SipServer {
  port: number;
  /** the UDP receive buffer the kernel granted (bytes; it caps the request at net.core.rmem_max) */
  receiveBufferBytes: number;
  close(): Promise<void>;
}

export async function startVerdictSip(o: VerdictSipOptions): Promise<SipServer> {
  const limits = { ...DEFAULT_SIP_LIMITS, maxMessageBytes: o.maxMessageBytes };
  const clients = new CidrSet(o.clients);
  const allowed = (peer: string) => {
    const ip = peer.startsWith('::ffff:') ? peer.slice(7) : peer;
    return isLoopback(ip) || clients.match(ip) !== undefined;
  };

  function answer(m: SipMessage, peer: string): string | undefined {
    if (!allowed(peer)) {
      o.onRefused('client');
      if (m.kind !== 'request' || m.method === 'ACK') return undefined;
      return forbidden(m);
    }
    const out = answerSip(m, peer, o.decide);
    if (out.kind === 'none') return undefined;
    if (/^SIP\/2\.0 400 /.test(out.text)) o.onRefused('field');
    return out.text;
  }

  // ---- UDP ----
  // a burst of INVITEs waits here while a garbage collection runs: room for a few thousand (the
  // kernel caps it at net.core.rmem_max; docs/verdicts.md says how to raise it)
  const udp: Socket = createSocket({ type: isIPv6(o.host) ? 'udp6' : 'udp4', reuseAddr: false, recvBufferSize: UDP_RECEIVE_BUFFER });
  udp.on('message', (buf, rinfo) => {
    // an ACK of our own final answer needs nothing: half the datagrams of a call, so not parsed
    if (isAck(buf)) return;
    try {
      const r = parseSipMessage(buf, { limits });
      if (!r.ok) {
        if (r.reason !== 'empty') o.onRefused(`malformed:${r.reason}`);
        return;
      }
      const text = answer(r.message, rinfo.address);
      if (text) udp.send(text, rinfo.port, rinfo.address);
    } catch (err) {
      o.onRefused('internal');
      o.log.error({ err }, 'SIP datagram handling failed');
    }
  });
  udp.on('error', (err) => o.log.error({ err }, 'SIP UDP socket error'));

  // ---- TCP ----
  const idleMs = (o.idleSeconds ?? 60) * 1000;
  const conns = new Set<TcpSocket>();
  const tcp: Server = createServer((sock: TcpSocket) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    let buf = Buffer.alloc(0);
    sock.setTimeout(idleMs, () => sock.destroy());
    sock.on('error', () => undefined);
    const peer = sock.remoteAddress ?? '';
    sock.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      try {
        for (;;) {
          if (buf.length === 0) return;
          const r = parseSipMessage(buf, { stream: true, limits });
          if (!r.ok) {
            if (r.reason === 'incomplete') return;
            if (r.reason === 'empty') {
              buf = buf.subarray(r.consumed);
              continue;
            }
            o.onRefused(`malformed:${r.reason}`);
            sock.end('SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
            sock.destroySoon();
            buf = Buffer.alloc(0);
            return;
          }
          buf = buf.subarray(r.consumed);
          const text = answer(r.message, peer);
          if (text) sock.write(text);
        }
      } catch (err) {
        o.onRefused('internal');
        o.log.error({ err }, 'SIP stream handling failed');
        sock.destroy();
      }
    });
  });
  tcp.maxConnections = o.maxConnections ?? 1024;

  const listening = (what: string, listen: (cb: () => void) => void, target: NodeJS.EventEmitter) =>
    new Promise<void>((resolve, reject) => {
      target.once('error', (err: NodeJS.ErrnoException) =>
        reject(new CallsentryError('BAD_CONFIG', err.code === 'EADDRINUSE' ? `verdicts.sip_listen ${o.host}:${o.port} (${what}) is in use; set verdicts.sip_listen to a free port or null` : `SIP redirect server cannot listen on ${o.host}:${o.port} (${what}): ${err.message}`, { cause: err })),
      );
      listen(() => resolve());
    });
  await listening('tcp', (cb) => tcp.listen(o.port, o.host, cb), tcp);
  const port = (tcp.address() as { port: number }).port;
  try {
    await listening('udp', (cb) => udp.bind(port, o.host, cb), udp);
  } catch (err) {
    tcp.close();
    throw err;
  }
  return {
    port,
    receiveBufferBytes: udp.getRecvBufferSize(),
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const c of conns) c.destroy();
      await closed;
    },
  };
}

const UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

function isAck(buf: Buffer): boolean {
  return buf.length > 4 && buf[0] === 0x41 && buf[1] === 0x43 && buf[2] === 0x4b && buf[3] === 0x20;
}

function forbidden(m: SipMessage): string {
  const lines = ['SIP/2.0 403 Forbidden'];
  for (const h of m.headers) if (['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name)) lines.push(`${h.name === 'call-id' ? 'Call-ID' : h.name === 'cseq' ? 'CSeq' : h.name[0].toUpperCase() + h.name.slice(1)}: ${h.value}`);
  lines.push('Warning: 399 callsentry "not in verdicts.sip_clients"', 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}
