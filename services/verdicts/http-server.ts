// The HTTP interface: POST /v1/verdict with {source_ip, account?, tenant?, from, to, call_id},
// answered {verdict, reason, rule, finding_ids, ttl_seconds}; GET /v1/health. Strict: JSON bodies
// only (415), at most verdicts.max_request_bytes (413), unknown or missing fields are 400 with the
// field named, a wrong or missing token 401. Nothing a client sends reaches the log verbatim.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CallsentryError } from '../core/errors';
import type { Logger } from '../core/ports';
import { BadQuery, parseQuery } from './query';
import type { CallQuery, Verdict } from './verdict';

export interface VerdictHttpOptions {
  host: string;
  port: number;
  token?: string;
  maxBodyBytes: number;
  decide(q: CallQuery): Verdict;
  health(): { ok: boolean; [k: string]: unknown };
  /** a refused request, by reason (metrics) */
  onRefused(reason: string): void;
  log: Logger;
}

export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startVerdictHttp(o: VerdictHttpOptions): Promise<ListeningServer> {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const tokenDigest = o.token ? digest(o.token) : undefined;
  const authorized = (header: string | undefined): boolean => {
    if (!tokenDigest) return true;
    const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
    return timingSafeEqual(digest(given), tokenDigest);
  };

  const server: Server = createServer({ maxHeaderSize: 8192, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => handle(req, res));
  server.maxConnections = 4096;

  function reply(res: ServerResponse, status: number, json: unknown, close = false): void {
    if (res.headersSent) return;
    const body = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...(close ? { connection: 'close' } : {}) });
    res.end(body);
  }

  function refuse(res: ServerResponse, status: number, reason: string, error: string, close = false): void {
    o.onRefused(reason);
    reply(res, status, { error }, close);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (!authorized(req.headers.authorization)) {
      req.resume();
      return refuse(res, 401, 'token', 'missing or wrong bearer token (Authorization: Bearer <token>)');
    }
    if (path === '/v1/health' && req.method === 'GET') {
      const h = o.health();
      return reply(res, h.ok ? 200 : 503, h);
    }
    if (path !== '/v1/verdict') {
      req.resume();
      return refuse(res, 404, 'route', `no route ${String(req.method).slice(0, 16)} ${path.slice(0, 64)}; routes: POST /v1/verdict, GET /v1/health`);
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      return refuse(res, 405, 'method', 'POST a JSON body to /v1/verdict');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return refuse(res, 415, 'content-type', 'send the body as JSON (content-type: application/json)');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > o.maxBodyBytes) return refuse(res, 413, 'too-large', `request body over ${o.maxBodyBytes} bytes`, true);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > o.maxBodyBytes) {
        done = true;
        refuse(res, 413, 'too-large', `request body over ${o.maxBodyBytes} bytes`, true);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
      } catch {
        return refuse(res, 400, 'json', 'the body is not valid JSON');
      }
      try {
        reply(res, 200, o.decide(parseQuery(body)));
      } catch (err) {
        if (err instanceof BadQuery) return refuse(res, 400, 'field', err.message);
        o.log.error({ err }, 'verdict failed');
        reply(res, 500, { error: 'internal error; see the verdict service log' });
      }
    });
    req.on('error', () => undefined);
  }

  server.on('clientError', (_err, socket) => {
    o.onRefused('http');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CallsentryError('BAD_CONFIG', err.code === 'EADDRINUSE' ? `verdicts.http_listen ${o.host}:${o.port} is in use; set verdicts.http_listen to a free port or null` : `verdict HTTP cannot listen on ${o.host}:${o.port}: ${err.message}`, { cause: err })),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    url,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
