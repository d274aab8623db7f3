// The console's HTTP(S) server: sessions and roles in front of every page, API route and event
// stream but the login page. Cookies are HttpOnly and SameSite=Strict (Secure under HTTPS); every
// POST carries the session's CSRF token and, when the browser sends one, our own Origin. API
// clients may use a bearer token instead of a session.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../core/clock';
import { CallsentryError } from '../core/errors';
import type { Logger } from '../core/ports';
import { BadRequest, cookies, readJson, securityHeaders, sendJson, sessionCookie, sessionCookieName } from './http-util';
import { LoginLimiter } from './login-limiter';
import { can, type Permission } from './roles';
import { SessionStore, type Session } from './sessions';
import { loadAssets } from './static-files';
import type { UserDirectory, User } from './users';

export interface Caller {
  user: User;
  session?: Session;
}

export interface ApiRoute {
  permission: Permission;
  handle(ctx: { caller: Caller; body: Record<string, unknown>; query: URLSearchParams; req: IncomingMessage; res: ServerResponse }): Promise<{ status: number; json: unknown } | void>;
}

export interface ConsoleServerOptions {
  listen: string;
  tls?: { cert: Buffer; key: Buffer };
  users: UserDirectory;
  sessionSeconds: number;
  routes: Record<string, ApiRoute>;
  clock: Clock;
  log: Logger;
}

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startConsoleServer(o: ConsoleServerOptions): Promise<ConsoleServer> {
  const { host, port } = splitListen(o.listen);
  const tls = Boolean(o.tls);
  if (!tls && !LOOPBACK.has(host)) {
    throw new CallsentryError('BAD_CONFIG', `console.listen ${o.listen} is not loopback and no certificate is configured: set console.tls.cert_file and key_file, or listen on 127.0.0.1 behind a TLS proxy`);
  }
  const log = o.log.child({ component: 'console' });
  const assets = loadAssets();
  const sessions = new SessionStore(o.sessionSeconds * 1000, o.clock);
  const limiter = new LoginLimiter(o.clock);
  const cookieName = sessionCookieName(tls);

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    securityHeaders(res, tls);
    handle(req, res).catch((err) => {
      if (err instanceof BadRequest) return sendJson(res, 400, { error: err.message });
      log.error({ err: { message: (err as Error).message }, path: pathOf(req) }, 'console request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the console log' });
      else res.end();
    });
  };
  const server: Server = o.tls ? createHttps({ cert: o.tls.cert, key: o.tls.key }, handler) : createHttp(handler);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const asset = req.method === 'GET' ? assets.get(path) : undefined;
    if (asset?.public) return serveAsset(res, asset);
    if (req.method === 'POST' && path === '/login') return login(req, res);

    const caller = authenticate(req);
    if (!caller) {
      if (req.method === 'GET' && !path.startsWith('/api/')) {
        res.writeHead(303, { location: '/login' });
        return void res.end();
      }
      return sendJson(res, 401, { error: 'log in first' });
    }
    if (req.method === 'POST') {
      const refused = crossSite(req, caller);
      if (refused) return sendJson(res, 403, { error: refused });
    }
    if (asset) return serveAsset(res, asset);
    if (req.method === 'POST' && path === '/logout') {
      if (caller.session) sessions.destroy(caller.session.id);
      return sendJson(res, 200, { ok: true }, { 'set-cookie': sessionCookie(tls, '', 0) });
    }
    const route = o.routes[`${req.method} ${path}`];
    if (!route) return sendJson(res, 404, { error: `no route ${req.method} ${path}` });
    if (!can(caller.user.role, route.permission)) {
      log.warn({ user: caller.user.name, role: caller.user.role, route: `${req.method} ${path}` }, 'console request refused: role');
      return sendJson(res, 403, { error: `${caller.user.role} may not do this (needs ${route.permission})` });
    }
    const body = req.method === 'POST' ? await readJson(req) : {};
    const r = await route.handle({ caller, body, query: url.searchParams, req, res });
    if (r) sendJson(res, r.status, r.json);
  }

  function authenticate(req: IncomingMessage): Caller | undefined {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) {
      const user = o.users.byToken(bearer);
      return user ? { user } : undefined;
    }
    const session = sessions.get(cookies(req)[cookieName]);
    return session ? { user: session.user, session } : undefined;
  }

  /** Cookie sessions only: a bearer token is not sent by a browser on its own, so it needs no CSRF token. */
  function crossSite(req: IncomingMessage, caller: Caller): string | undefined {
    if (!caller.session) return undefined;
    if (!sameOrigin(req)) return 'cross-origin request refused';
    const given = req.headers['x-csrf-token'];
    if (typeof given !== 'string' || !equal(given, caller.session.csrf)) return 'missing or wrong CSRF token (reload the page)';
    return undefined;
  }

  function sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin === undefined || origin === `${tls ? 'https' : 'http'}://${req.headers.host}`;
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameOrigin(req)) return sendJson(res, 403, { error: 'cross-origin login refused' });
    const body = await readJson(req);
    const name = typeof body.user === 'string' ? body.user.slice(0, 64) : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const ip = req.socket.remoteAddress ?? 'unknown';
    // counted now, before the slow password check: parallel guesses cannot overtake the count
    const attempt = limiter.begin(ip, name);
    if (!attempt.admitted) {
      const wait = attempt.retryAfterMs;
      log.warn({ user: name, ip }, 'console login refused: too many failures');
      return sendJson(res, 429, { error: `too many failed logins; try again in ${Math.ceil(wait / 60_000)} min` }, { 'retry-after': String(Math.ceil(wait / 1000)) });
    }
    const user = name && password ? await o.users.login(name, password) : undefined;
    attempt.settle(Boolean(user));
    if (!user) {
      log.warn({ user: name, ip }, 'console login failed');
      return sendJson(res, 401, { error: 'wrong user name or password' });
    }
    const s = sessions.create(user);
    log.info({ user: user.name, role: user.role, ip }, 'console login');
    sendJson(res, 200, { user: user.name, role: user.role }, { 'set-cookie': sessionCookie(tls, s.id, o.sessionSeconds) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CallsentryError('BAD_CONFIG', err.code === 'EADDRINUSE' ? `console.listen ${o.listen} is in use (another callsentry?); set console.listen or CALLSENTRY_CONSOLE_LISTEN to a free HOST:PORT, or off` : `console cannot listen on ${o.listen}: ${err.message}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log.info({ url }, 'console listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // event streams never end by themselves
        server.closeAllConnections();
      }),
  };
}

function serveAsset(res: ServerResponse, a: { type: string; body: Buffer }): void {
  res.writeHead(200, { 'content-type': a.type });
  res.end(a.body);
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0];
}

function equal(a: string, b: string): boolean {
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(a), d(b));
}

export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new CallsentryError('BAD_CONFIG', `console.listen must be HOST:PORT, got ${listen}`);
  return { host, port };
}
