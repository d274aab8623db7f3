// The console's API: what the pages read (snapshot, event stream, blocks with their evidence, flow
// search, health, chart series) and the operator actions, passed to the enforcer's operator API
// with the logged-in user as `who`. Viewers read; the server, not only the page, refuses them the rest.
import type { Logger } from '../core/ports';
import type { ApiClient } from './api-client';
import type { ApiRoute } from './console-server';
import { streamEvents } from './event-stream';
import type { HealthMonitor } from './health';
import type { LiveState } from './live-state';
import { permissions } from './roles';

export interface RouteDeps {
  state: LiveState;
  health: HealthMonitor;
  /** the enforcer's operator API; undefined when none is configured */
  operator?: ApiClient;
  now: () => number;
  log: Logger;
}

interface BlockView {
  target: { type: string; value: string };
  scope: string;
  action: string;
  expires_at: string | null;
  reason: string;
  decisionId?: string;
  findingIds?: string[];
  actuators: string[];
  operator?: { who: string; why: string; ticket: string };
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function consoleRoutes(d: RouteDeps): Record<string, ApiRoute> {
  const viaOperator = async (method: 'GET' | 'POST', path: string, body?: object, onBehalfOf?: string) => {
    if (!d.operator) return { status: 503, json: { error: 'no operator API configured (console.operator_api, or api.listen)' } };
    try {
      const r = await d.operator.request<Record<string, unknown>>(method, path, body, onBehalfOf);
      // the console's own credential was refused: not the browser user's session (a 401 would log them out)
      if (r.status === 401) return { status: 502, json: { error: "the operator API refused the console's token: run the console as the enforcer's user (api.token_file), or set the variable named by api.token_env" } };
      return r;
    } catch (err) {
      return { status: 502, json: { error: (err as Error).message } };
    }
  };

  /** An operator action on behalf of the logged-in caller (the API records them as who), whatever the page sent. */
  const action = (path: string, fields: string[]): ApiRoute['handle'] => async ({ caller, body }) => {
    const forwarded: Record<string, unknown> = { why: text(body.why), ticket: text(body.ticket) };
    for (const f of fields) if (body[f] !== undefined && body[f] !== '') forwarded[f] = body[f];
    const r = await viaOperator('POST', path, forwarded, caller.user.name);
    d.log.info({ user: caller.user.name, action: path, status: r.status, ticket: forwarded.ticket }, 'console operator action');
    return r;
  };

  return {
    'GET /api/session': {
      permission: 'read',
      handle: async ({ caller }) => ({ status: 200, json: { user: caller.user.name, role: caller.user.role, permissions: permissions(caller.user.role), csrf: caller.session?.csrf ?? null } }),
    },
    'GET /api/snapshot': { permission: 'read', handle: async () => ({ status: 200, json: d.state.snapshot() }) },
    'GET /api/events': { permission: 'read', handle: async ({ res, caller }) => streamEvents(res, d.state, caller, d.now) },
    'GET /api/blocks': {
      permission: 'read',
      handle: async () => {
        const r = await viaOperator('GET', '/v1/blocks');
        if (r.status !== 200) return r;
        // evidence: the findings behind each block, as far as this console has seen them
        const blocks = (r.json.blocks as BlockView[]).map((b) => ({
          ...b,
          evidence: (b.findingIds ?? []).map((id) => {
            const f = d.state.findingById(id);
            return f ? { id, detector: f.detector, counts: f.counts, severity: f.severity } : { id };
          }),
        }));
        return { status: 200, json: { blocks } };
      },
    },
    'GET /api/allowlist': { permission: 'read', handle: async () => viaOperator('GET', '/v1/allowlist') },
    'GET /api/flows': {
      permission: 'read',
      handle: async ({ query }) => {
        const q = (query.get('q') ?? '').slice(0, 200);
        const f = d.state.flows;
        return { status: 200, json: { query: q, rows: f.search(q), held: f.size, capacity: f.capacity, seen: f.total } };
      },
    },
    'GET /api/health': {
      permission: 'read',
      handle: async () => {
        const e = await viaOperator('GET', '/v1/health');
        const enforcer = e.status === 200 ? { ok: true, circuit_open: Boolean(e.json.circuit_open) } : { ok: false, error: String(e.json.error ?? e.status) };
        return { status: 200, json: { ...d.health.get(), enforcer } };
      },
    },
    'GET /api/series': {
      permission: 'read',
      handle: async () => {
        const now = d.now();
        return { status: 200, json: { flow_rate: d.state.flowRate.snapshot(now), findings_by_family: d.state.findingsByFamily.snapshot(now) } };
      },
    },
    'POST /api/blocks/unblock': { permission: 'act', handle: action('/v1/blocks/unblock', ['target', 'scope']) },
    'POST /api/blocks/extend': { permission: 'act', handle: action('/v1/blocks/extend', ['target', 'scope', 'ttl_seconds']) },
    // an operator's own block (an address or range) or account suspension; the reply carries its outcome
    'POST /api/decisions': { permission: 'act', handle: action('/v1/decisions', ['target', 'action', 'scope', 'ttl_seconds']) },
    'POST /api/findings/ack': { permission: 'act', handle: action('/v1/findings/ack', ['finding_id']) },
    'POST /api/allowlist': { permission: 'allowlist', handle: action('/v1/allowlist', ['cidr', 'ttl_seconds', 'force']) },
    'POST /api/allowlist/remove': { permission: 'allowlist', handle: action('/v1/allowlist/remove', ['cidr']) },
  };
}
