// The operator API's read-only questions about the recent past, answered from History and the
// enforcer: findings (filtered), one finding with its decisions and their outcomes, decisions, why
// a target is blocked, and a one-shot status of this process (mode, breaker, live blocks, stages and
// their lag). Queries are checked like bodies: a bad value is a 400 that says what is expected.
import type { Decision, Severity } from '../core/records';
import type { Enforcer, LiveView } from '../enforcer/enforcer';
import type { History } from './history';
import { OperatorRequestError, parseScope, parseTarget } from './operator-actions';
import { parsePromText, sumBy } from './prom-text';

export interface HistoryRouteDeps {
  history?: History;
  enforcer: Enforcer;
  mode: Decision['mode'];
  now: () => number;
  /** this process's metrics text (stages, lag, dead letters) */
  metrics?: () => Promise<string>;
}

type Reply = { status: number; json: unknown };

const SEVERITIES: ReadonlySet<string> = new Set(['low', 'medium', 'high', 'critical']);
const DETECTOR = /^[a-z0-9-]+\/[a-z0-9-]+$/;
const MAX_LIMIT = 10_000;

export function historyRoutes(d: HistoryRouteDeps): { get(path: string, query: URLSearchParams): Promise<Reply> | undefined } {
  const need = (): History => {
    if (!d.history) throw new OperatorRequestError('this process keeps no history (it serves the operator API without reading findings)');
    return d.history;
  };
  const routes: Record<string, (q: URLSearchParams) => Promise<Reply>> = {
    '/v1/findings': async (q) => {
      const h = need();
      const findings = h.findingList({
        since: sinceOf(q.get('since')),
        ip: q.get('ip') ? ipOf(q.get('ip')!) : undefined,
        account: q.get('account') ?? undefined,
        detector: detectorOf(q.get('detector')),
        severity: severityOf(q.get('severity')),
        limit: limitOf(q.get('limit')),
      });
      return { status: 200, json: { findings, history: h.counts } };
    },
    '/v1/decisions': async (q) => {
      const h = need();
      const target = q.get('target') ? parseTarget(q.get('target')).value : undefined;
      return { status: 200, json: { decisions: h.decisionList({ target, since: sinceOf(q.get('since')), limit: limitOf(q.get('limit')) }), history: h.counts } };
    },
    '/v1/blocks/show': async (q) => {
      const target = parseTarget(q.get('target') ?? '');
      const scope = parseScope(q.get('scope') ?? undefined, target);
      const live = (await d.enforcer.list()).find((v) => v.scope === scope && v.target.type === target.type && v.target.value === target.value);
      const decisions = d.history?.decisionList({ target: target.value, limit: 20 }) ?? [];
      if (!live) return { status: 404, json: { error: `${target.value} is not blocked or limited at ${scope}`, target, scope, decisions } };
      const findings = (live.findingIds ?? []).map((id) => d.history?.findingById(id) ?? { id, unknown: 'no longer in this process’s history (api.history_size); search Elasticsearch' });
      return { status: 200, json: { block: view(live), findings, decisions } };
    },
    '/v1/status': async () => {
      const now = d.now();
      const samples = d.metrics ? parsePromText(await d.metrics()) : [];
      const records = sumBy(samples, 'callsentry_stage_records_in_total', 'stage');
      const lag = sumBy(samples, 'callsentry_consumer_lag', 'stage');
      const failures = sumBy(samples, 'callsentry_stage_failures_total', 'stage');
      const names = [...new Set([...Object.keys(records), ...Object.keys(lag)])].sort();
      return {
        status: 200,
        json: {
          at: new Date(now).toISOString(),
          mode: d.mode,
          circuit_open: d.enforcer.guardrails.breakerOpen(now),
          live_blocks: d.enforcer.live.count(now),
          stages: names.map((name) => ({ name, records_in: records[name] ?? 0, lag: name in lag ? lag[name] : null, failures: failures[name] ?? 0 })),
          dead_letters: sumBy(samples, 'callsentry_dlq_total', 'topic'),
          refused: sumBy(samples, 'callsentry_decisions_refused_total', 'guardrail'),
          history: d.history?.counts ?? null,
        },
      };
    },
  };
  return {
    get(path, query) {
      const exact = routes[path];
      if (exact) return exact(query);
      const m = /^\/v1\/findings\/([^/]{1,256})$/.exec(path);
      if (!m) return undefined;
      return (async () => {
        const id = decodeURIComponent(m[1]);
        const f = need().findingById(id);
        if (!f) return { status: 404, json: { error: `no finding ${id} in this process's history (the last ${need().counts.capacity}, api.history_size); older ones are in Elasticsearch` } };
        return { status: 200, json: { finding: f, decisions: need().decisionsOf(id) } };
      })();
    },
  };
}

export function view(v: LiveView): object {
  return { ...v, expires_at: v.expiresAt === undefined ? null : new Date(v.expiresAt).toISOString(), expiresAt: undefined };
}

function sinceOf(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const t = /^\d{1,16}$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new OperatorRequestError('since must be epoch milliseconds or an ISO 8601 time');
  return t;
}

function ipOf(v: string): string {
  const k = parseTarget(v);
  if (k.type === 'account') throw new OperatorRequestError('ip must be an address or a CIDR');
  return k.value;
}

function detectorOf(v: string | null): string | undefined {
  if (v === null || v === '') return undefined;
  if (!DETECTOR.test(v)) throw new OperatorRequestError('detector must be a detector id such as sip/request-flood');
  return v;
}

function severityOf(v: string | null): Severity | undefined {
  if (v === null || v === '') return undefined;
  if (!SEVERITIES.has(v)) throw new OperatorRequestError('severity must be low, medium, high or critical');
  return v as Severity;
}

function limitOf(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new OperatorRequestError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return n;
}
