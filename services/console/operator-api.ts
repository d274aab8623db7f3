// The operator API (the console uses it too): list live blocks with reason and expiry, unblock,
// extend, an operator's own block or suspend (decisions), allowlist, acknowledge a finding; and
// the recent past (history-routes.ts). A change that names nothing live (an unblock of what is not
// blocked, the removal of a range not allowlisted) is a 404, not a request; a decision's reply
// carries its outcome once the enforcer has published it (decisions.outcomes.v1, a few seconds at
// most), so the caller prints what happened, not what was asked. Requests become records on the bus (decisions.v1,
// allowlist.v1; an acknowledgement is only an audit event) and an audit event each, so an
// operator's change takes the same path, and leaves the same trail, as a detector's.
//
// Every request carries the bearer token, on loopback too: a web page the operator happens to open
// can reach 127.0.0.1, but it cannot read the token file. Bodies are application/json only (a page
// may send text/plain across origins without asking; never JSON). `who` comes from the credential:
// the token's holder (the console for its logged-in user, the commands for the login name) names
// the person in the X-Callsentry-On-Behalf-Of header; a `who` in the body is never read.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../core/clock';
import { encode } from '../core/codec';
import { CallsentryError } from '../core/errors';
import type { BusProducer, Logger } from '../core/ports';
import type { Decision } from '../core/records';
import type { Topics } from '../core/topics';
import type { Enforcer } from '../enforcer/enforcer';
import type { History } from './history';
import { historyRoutes, view } from './history-routes';
import { BadRequest, readJsonBody } from './http-util';
import { ON_BEHALF_OF, personOf } from './on-behalf-of';
import { ackEvent, allowlistRecord, checkAllowlistWidth, operatorDecision, parseAction, parseFindingId, OperatorRequestError, parseNote, parseScope, parseTarget, parseTtl, requestEvent } from './operator-actions';

export interface OperatorApiOptions {
  listen: string;
  /** the bearer token every request must carry (see api-token.ts) */
  token: string;
  enforcer: Enforcer;
  producer: BusProducer;
  topics: Topics;
  clock: Clock;
  log: Logger;
  /** longest block an operator may set with extend */
  maxTtlSeconds?: number;
  /** allowlist ranges wider than this need `force` (default /8 and /32) */
  allowlistMinPrefix?: { ipv4: number; ipv6: number };
  /** the deployment's mode (decisions.mode): operator decisions inherit it (default dry-run) */
  mode?: Decision['mode'];
  /** recent findings and decisions with outcomes; without it the history routes answer 400 and replies carry no outcome */
  history?: History;
  /** how long a change waits for its outcome before answering without it (default 5000 ms) */
  outcomeWaitMs?: number;
  /** this process's metrics text, for /v1/status */
  metrics?: () => Promise<string>;
}

export interface OperatorApi {
  url: string;
  close(): Promise<void>;
}

type Handler = (body: Record<string, unknown>, who: string, query: URLSearchParams) => Promise<{ status: number; json: unknown }>;

export async function startOperatorApi(o: OperatorApiOptions): Promise<OperatorApi> {
  const { host, port } = splitListen(o.listen);
  if (!o.token || o.token.length < 16) throw new CallsentryError('BAD_CONFIG', 'the operator API needs a token of at least 16 characters (api.token_file, or the variable named by api.token_env)');
  const log = o.log.child({ component: 'operator-api' });
  const maxTtl = o.maxTtlSeconds ?? 30 * 86_400;
  const mode = o.mode ?? 'dry-run';
  const reads = historyRoutes({ history: o.history, enforcer: o.enforcer, mode, now: () => o.clock.now(), metrics: o.metrics });
  const send = async (topic: 'decisions.v1' | 'allowlist.v1' | 'audit.v1', key: string, record: object & { '@timestamp': string }) =>
    o.producer.send(o.topics.name(topic), [encode(key, record, Date.parse(record['@timestamp']))]);

  const routes: Record<string, Handler> = {
    'GET /v1/health': async () => ({ status: 200, json: { ok: true, mode, circuit_open: o.enforcer.guardrails.breakerOpen(o.clock.now()) } }),
    'GET /v1/blocks': async () => ({ status: 200, json: { blocks: (await o.enforcer.list()).map(view) } }),
    'GET /v1/allowlist': async () => ({ status: 200, json: { entries: o.enforcer.guardrails.allowlist.entries(o.clock.now()) } }),
    'POST /v1/blocks/unblock': async (body, who) => {
      const target = parseTarget(body.target);
      const note = parseNote(body, who);
      const scope = parseScope(body.scope, target);
      const live = (await o.enforcer.list()).some((v) => v.scope === scope && v.target.type === target.type && v.target.value === target.value);
      if (!live) return { status: 404, json: { error: `${target.value} is not blocked or limited at ${scope}: nothing to unblock` } };
      const d = operatorDecision({ action: 'unblock', target, scope, ttlSeconds: 0, note, now: o.clock.now(), verb: 'unblock', mode });
      await request(d, `unblock ${target.type}=${target.value} at ${scope}`);
      return answer(d);
    },
    'POST /v1/decisions': async (body, who) => {
      const target = parseTarget(body.target);
      const action = parseAction(body.action, target);
      const note = parseNote(body, who);
      const scope = parseScope(body.scope, target);
      const ttl = parseTtl(body.ttl_seconds, maxTtl);
      const d = operatorDecision({ action, target, scope, ttlSeconds: ttl, note, now: o.clock.now(), verb: 'decide', mode });
      await request(d, `${action} ${target.type}=${target.value} at ${scope} for ${ttl}s`);
      return answer(d);
    },
    'POST /v1/blocks/extend': async (body, who) => {
      const target = parseTarget(body.target);
      const note = parseNote(body, who);
      const scope = parseScope(body.scope, target);
      const ttl = parseTtl(body.ttl_seconds, maxTtl);
      const now = o.clock.now();
      const live = o.enforcer.live.get({ scope, target }, now);
      if (!live) return { status: 404, json: { error: `${target.value} has no live block at ${scope} held by this enforcer` } };
      const d = operatorDecision({ action: live.decision.action, target, scope, ttlSeconds: ttl, note, now, verb: 'extend', mode });
      await request(d, `extend ${live.decision.action} ${target.type}=${target.value} at ${scope} to ${ttl}s from now`);
      return answer(d);
    },
    'POST /v1/findings/ack': async (body, who) => {
      const e = ackEvent(parseFindingId(body.finding_id), parseNote(body, who), o.clock.now());
      await send('audit.v1', e.ref!.id, e);
      log.info({ finding: e.ref!.id, who: e.actor.id, ticket: e.ticket }, 'operator acknowledged a finding');
      return { status: 202, json: { audit_id: e.id } };
    },
    'POST /v1/allowlist': async (body, who) => allowlist(body, who, false),
    'POST /v1/allowlist/remove': async (body, who) => allowlist(body, who, true),
  };

  /** 200 with the decision and its outcome once known; 202 with the decision alone if the enforcer has not said yet. */
  async function answer(d: Decision): Promise<{ status: number; json: unknown }> {
    const done = o.history ? await o.history.waitForOutcome(d.id, o.outcomeWaitMs ?? 5000) : undefined;
    return done ? { status: 200, json: { decision_id: d.id, decision: done } } : { status: 202, json: { decision_id: d.id, decision: d } };
  }

  async function request(d: Decision, what: string): Promise<void> {
    // the audit event first: a request that reached the bus is never missing from the trail
    await send('audit.v1', d.target.value, requestEvent(what, d.operator!, Date.parse(d['@timestamp']), { kind: 'decision', id: d.id }));
    await send('decisions.v1', d.target.value, d);
    log.info({ decision: d.id, action: d.action, target: d.target, who: d.operator?.who, ticket: d.operator?.ticket }, 'operator request');
  }

  async function allowlist(body: Record<string, unknown>, who: string, removed: boolean): Promise<{ status: number; json: unknown }> {
    if (typeof body.cidr !== 'string') throw new OperatorRequestError('cidr is required (an address or a range)');
    const note = parseNote(body, who);
    const ttlSeconds = !removed && body.ttl_seconds !== undefined ? parseTtl(body.ttl_seconds, 365 * 86_400) : undefined;
    const entry = allowlistRecord({ cidr: body.cidr, note, now: o.clock.now(), ttlSeconds, removed });
    if (removed && !o.enforcer.guardrails.allowlist.entries(o.clock.now()).some((e) => e.cidr === entry.cidr)) {
      const configured = o.enforcer.guardrails.allowlist.match(entry.cidr.split('/')[0], o.clock.now())?.source === 'configuration';
      return { status: 404, json: { error: `${entry.cidr} is not an operator allowlist entry${configured ? ' (it is inside the configured enforcer.allowlist, which only the configuration changes)' : ''}: nothing to remove` } };
    }
    const { forced } = removed ? { forced: false } : checkAllowlistWidth(entry.cidr, o.allowlistMinPrefix ?? { ipv4: 8, ipv6: 32 }, body.force);
    const until = removed ? '' : entry.expires_at ? ` until ${entry.expires_at}` : ' (permanent)';
    const what = `${removed ? 'remove' : 'add'} allowlist ${entry.cidr}${until}${forced ? ', forced past the widest allowed range' : ''}`;
    await send('audit.v1', entry.cidr, requestEvent(what, note, o.clock.now(), { kind: 'allowlist', id: entry.cidr }));
    await send('allowlist.v1', entry.cidr, entry);
    log.info({ cidr: entry.cidr, removed, forced, who: note.who, ticket: note.ticket }, 'operator allowlist change');
    return { status: 202, json: { cidr: entry.cidr, removed } };
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    try {
      if (!authorized(req.headers.authorization, o.token)) return reply(401, { error: 'missing or wrong bearer token' });
      const url = new URL(req.url ?? '/', 'http://api');
      const path = url.pathname;
      const read = req.method === 'GET' ? reads.get(path, url.searchParams) : undefined;
      if (read) {
        const r = await read;
        return reply(r.status, r.json);
      }
      const route = routes[`${req.method} ${path}`];
      if (!route) return reply(404, { error: `no route ${req.method} ${path}`, routes: [...Object.keys(routes), 'GET /v1/findings', 'GET /v1/findings/ID', 'GET /v1/decisions', 'GET /v1/blocks/show', 'GET /v1/status'] });
      if (req.method === 'POST' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return reply(415, { error: 'send the body as JSON (content-type: application/json)' });
      const who = personOf(req.headers[ON_BEHALF_OF]);
      if (who === undefined) return reply(400, { error: `${ON_BEHALF_OF} must be a name of 1 to 64 letters, digits or . _ @ + -` });
      const body = req.method === 'POST' ? await readJsonBody(req) : {};
      const r = await route(body, who, url.searchParams);
      reply(r.status, r.json);
    } catch (err) {
      if (err instanceof OperatorRequestError || err instanceof BadRequest) return reply(400, { error: err.message });
      log.error({ err }, 'operator API request failed');
      reply(500, { error: 'internal error; see the enforcer log' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new CallsentryError('BAD_CONFIG', err.code === 'EADDRINUSE' ? `api.listen ${o.listen} is in use (another callsentry?); set api.listen to a free port or null` : `operator API cannot listen on ${o.listen}: ${err.message}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log.info({ url }, 'operator API listening (bearer token required)');
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new CallsentryError('BAD_CONFIG', `api.listen must be HOST:PORT, got ${listen}`);
  return { host, port };
}

function authorized(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  // hashes have equal length, so the comparison time says nothing about the token
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}
