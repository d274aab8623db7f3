// The enforcer's one idea: decisions pass guardrails, then reach every enforcement point of their
// scope, and the outcome of each is reported for the audit trail. It keeps the desired state
// (LiveBlocks), reconciles the enforcement points with it, and answers what is live.
import type { Clock } from '../core/clock';
import type { MetricsRegistry } from '../core/metrics';
import type { Actuator, ActuatorResult, LiveEntry, Logger } from '../core/ports';
import type { AllowlistEntry, Decision } from '../core/records';
import { Guardrails, type GuardrailSettings } from './guardrails';
import { canonicalOr } from '../core/ip-address';
import { LiveBlocks, targetKey, type LiveNote } from './live-blocks';
import type { PlatformAddresses } from './platform-addresses';

/**
 * `decision` is what went to the enforcement points (a guardrail may have changed its action or
 * ttl; a renewal carries the whole time left), `requested` the decision as it arrived (absent: the same).
 */
export type Outcome = { requested?: Decision } & (
  | { decision: Decision; result: 'applied' | 'renewed' | 'removed'; details: string[]; note?: string; changedBy?: string; offense?: number; expiresAt?: number }
  | { decision: Decision; result: 'failed'; details: string[] }
  | { decision: Decision; result: 'refused' | 'alert-only'; guardrail: string; reason: string }
  | { decision: Decision; result: 'noop'; reason: string }
);

export interface LiveView {
  target: Decision['target'];
  scope: Decision['scope'];
  action: Decision['action'];
  expiresAt?: number;
  reason: string;
  decisionId?: string;
  origin?: Decision['origin'];
  operator?: Decision['operator'];
  /** the findings that led to it (evidence) */
  findingIds?: string[];
  /** operators' renewals (extend): who, why, ticket, when; the reason and evidence above stay the original's */
  notes?: LiveNote[];
  /** the enforcement points that hold it */
  actuators: string[];
}

export interface EnforcerOptions {
  actuators: Actuator[];
  guardrails: GuardrailSettings;
  /** the platform's own addresses, never blocked (default: loopback and this host's, learning servers) */
  platform?: PlatformAddresses;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
}

export class Enforcer {
  readonly live: LiveBlocks;
  readonly guardrails: Guardrails;
  private readonly actuators: Actuator[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly m;

  constructor(o: EnforcerOptions) {
    this.actuators = o.actuators;
    this.clock = o.clock;
    this.log = o.log.child({ component: 'enforcer' });
    const expired = o.metrics.counter('callsentry_enforcer_expired_total', 'Blocks and limits whose time ran out, by action');
    this.live = new LiveBlocks((b) => expired.inc({ action: b.decision.action }));
    this.guardrails = new Guardrails(o.guardrails, this.live, o.platform);
    this.m = {
      applied: o.metrics.counter('callsentry_decisions_applied_total', 'Decisions applied, by actuator and action'),
      refused: o.metrics.counter('callsentry_decisions_refused_total', 'Decisions refused or turned alert-only by a guardrail'),
      failed: o.metrics.counter('callsentry_actuator_failures_total', 'Actuator failures, by actuator'),
      restored: o.metrics.counter('callsentry_reconcile_restored_total', 'Entries an enforcement point had lost and reconciliation restored'),
      breaker: o.metrics.gauge('callsentry_enforcer_circuit_open', '1 while the circuit breaker holds enforcement at alert-only'),
      live: o.metrics.gauge('callsentry_enforcer_live_blocks', 'Blocks and limits the enforcer holds live'),
    };
  }

  /** Initializes every enforcement point and adopts what is live there already (a restart keeps its blocks). */
  async start(): Promise<void> {
    for (const a of this.actuators) await a.init();
    const now = this.clock.now();
    for (const { actuator, entry } of await this.liveEntries()) {
      if (!entry.action || entry.expiresAt === undefined || entry.expiresAt <= now) continue;
      const scope = actuator.scopes?.find((s) => s === scopeOf(entry)) ?? scopeOf(entry);
      const d = adopted(entry, scope, now);
      if (!this.live.get(d, now)) this.live.put(d, now);
    }
    this.gauges(now);
  }

  /** Decisions in order; one outcome each. */
  async enforce(decisions: Decision[]): Promise<Outcome[]> {
    const now = this.clock.now();
    const outcomes: Outcome[] = [];
    const todo: Array<{ decision: Decision; requested: Decision; renewal: boolean; note?: string; changedBy?: string; offense?: number; expiresAt?: number }> = [];
    for (const given of decisions) {
      // one text per address, whoever wrote the decision (an operator, an older record)
      const d = given.target.type === 'ip' ? { ...given, target: { ...given.target, value: canonicalOr(given.target.value) } } : given;
      if (d.action === 'alert-only') {
        outcomes.push({ decision: d, requested: d, result: 'noop', reason: 'alert only: nothing changes on the network' });
        continue;
      }
      if (d.action === 'deny-call') {
        // answered at the proxy before setup: recorded, never firewalled
        outcomes.push({ decision: d, result: 'noop', reason: 'calls denied before setup by the verdict service; nothing to enforce' });
        continue;
      }
      const v = this.guardrails.check(d, now);
      if (v.outcome === 'apply') {
        // later decisions in the batch see this one as live (a renewal, a count toward the maximum)
        if (d.action === 'unblock') {
          const held = this.live.delete(d);
          // an unblock of what is not live changes nothing: say so, do not report a removal
          if (!held) outcomes.push({ decision: d, requested: d, result: 'noop', reason: `${d.target.value} has no live ${d.scope} block or limit held by this enforcer` });
          else todo.push({ ...v, requested: d });
        } else {
          // a renewal never shortens: the enforcement point gets the whole time left
          const b = this.live.put(v.decision, now);
          todo.push({ ...v, requested: d, expiresAt: b.expiresAt, decision: { ...v.decision, ttl_seconds: Math.ceil((b.expiresAt - now) / 1000) } });
        }
        continue;
      }
      this.m.refused.inc({ guardrail: v.guardrail });
      if (v.outcome === 'alert-only' && v.openedNow) this.log.error({ reason: v.reason }, 'circuit breaker open: enforcement is alert-only');
      else this.log.warn({ decision: d.id, target: d.target, guardrail: v.guardrail, reason: v.reason }, 'decision refused by guardrail');
      outcomes.push({ decision: d, requested: d, result: v.outcome === 'refuse' ? 'refused' : 'alert-only', guardrail: v.guardrail, reason: v.reason });
    }
    const results = await this.dispatch(todo.map((t) => t.decision));
    for (const t of todo) {
      const r = results.get(t.decision.id) ?? [];
      const bad = r.filter((x) => !x.result.ok);
      const details = r.map((x) => `${x.actuator}: ${x.result.detail}`);
      if (bad.length > 0) {
        // what failed is not live: reconciliation must not restore it, the re-delivery will retry
        if (t.decision.action !== 'unblock') this.live.delete(t.decision);
        outcomes.push({ decision: t.decision, requested: t.requested, result: 'failed', details });
      } else if (r.length === 0) {
        outcomes.push({ decision: t.decision, requested: t.requested, result: 'noop', reason: `no enforcement point for scope ${t.decision.scope}` });
      } else {
        const result = t.decision.action === 'unblock' ? 'removed' : t.renewal ? 'renewed' : 'applied';
        outcomes.push({ decision: t.decision, requested: t.requested, result, details, note: t.note, changedBy: t.changedBy, offense: t.offense, expiresAt: t.expiresAt });
      }
    }
    this.gauges(now);
    return outcomes;
  }

  /** An operator allowlisted a range: it holds from now on, and what is live inside it is removed. */
  async allowlist(entry: AllowlistEntry, unblockId: (target: Decision['target'], scope: Decision['scope']) => string): Promise<Outcome[]> {
    const now = this.clock.now();
    this.guardrails.allowlist.put(entry);
    if (entry.removed) return [];
    const inside = this.live.all(now).filter((b) => (b.decision.target.type === 'ip' || b.decision.target.type === 'cidr') && b.decision.action !== 'aggregate-limit' && this.guardrails.allowlist.match(b.decision.target.value, now));
    const unblocks: Decision[] = inside.map((b) => ({
      ...b.decision,
      id: unblockId(b.decision.target, b.decision.scope),
      '@timestamp': entry['@timestamp'],
      action: 'unblock',
      ttl_seconds: 0,
      reason: `allowlisted ${entry.cidr} by ${entry.operator.who}: ${entry.operator.why}`,
      origin: { type: 'operator', id: entry.operator.who },
      operator: entry.operator,
    }));
    return unblocks.length > 0 ? this.enforce(unblocks) : [];
  }

  /**
   * Makes every enforcement point hold the desired state again (an operator flushed a set, the relay's
   * Redis restarted): what is missing is re-added for the time it has left.
   */
  async reconcile(): Promise<number> {
    const now = this.clock.now();
    const desired = this.live.all(now).map((b) => ({ ...b.decision, '@timestamp': new Date(now).toISOString(), ttl_seconds: Math.ceil((b.expiresAt - now) / 1000) }));
    let restored = 0;
    for (const a of this.actuators) {
      const mine = desired.filter((d) => !a.scopes || a.scopes.includes(d.scope));
      if (mine.length === 0) continue;
      try {
        const report = a.reconcile ? await a.reconcile(mine) : await genericReconcile(a, mine, now);
        const ok = report.restored.filter((r) => r.ok).length;
        if (ok > 0) {
          this.m.restored.inc({ actuator: a.name }, ok);
          this.log.warn({ actuator: a.name, restored: ok }, 'enforcement point had lost entries; restored');
        }
        restored += ok;
      } catch (err) {
        this.m.failed.inc({ actuator: a.name });
        this.log.error({ actuator: a.name, err }, 'reconciliation failed; will retry on the next round');
      }
    }
    this.gauges(now);
    return restored;
  }

  /** What is live, with the reason and who decided it, merged with what the enforcement points report. */
  async list(): Promise<LiveView[]> {
    const now = this.clock.now();
    const views = new Map<string, LiveView>();
    for (const b of this.live.all(now)) {
      const d = b.decision;
      views.set(targetKey(d), { target: d.target, scope: d.scope, action: d.action, expiresAt: b.expiresAt, reason: d.reason, decisionId: d.id, origin: d.origin, operator: d.operator, findingIds: d.finding_ids, notes: b.notes, actuators: [] });
    }
    for (const { actuator, entry } of await this.liveEntries()) {
      const scope = scopeOf(entry);
      const key = targetKey({ scope, target: entry.target });
      const view = views.get(key) ?? { target: entry.target, scope, action: entry.action ?? 'block', reason: 'live at the enforcement point, not decided by this enforcer', actuators: [] };
      if (entry.expiresAt !== undefined) view.expiresAt = entry.expiresAt;
      view.actuators.push(actuator.name);
      views.set(key, view);
    }
    return [...views.values()].sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity));
  }

  async shutdown(): Promise<void> {
    for (const a of this.actuators) await a.shutdown();
  }

  private async liveEntries(): Promise<Array<{ actuator: Actuator; entry: LiveEntry }>> {
    const out: Array<{ actuator: Actuator; entry: LiveEntry }> = [];
    for (const a of this.actuators) for (const entry of await a.list()) out.push({ actuator: a, entry });
    return out;
  }

  /** Each enforcement point gets the decisions of its scope in one batch; unblocks are removals. */
  private async dispatch(decisions: Decision[]): Promise<Map<string, Array<{ actuator: string; result: ActuatorResult }>>> {
    const out = new Map<string, Array<{ actuator: string; result: ActuatorResult }>>();
    for (const a of this.actuators) {
      const mine = decisions.filter((d) => !a.scopes || a.scopes.includes(d.scope));
      if (mine.length === 0) continue;
      const removals = mine.filter((d) => d.action === 'unblock');
      const applies = mine.filter((d) => d.action !== 'unblock');
      const results = [...(applies.length ? await this.safely(a, 'apply', applies) : []), ...(removals.length ? await this.safely(a, 'remove', removals) : [])];
      for (const r of results) {
        const d = mine.find((x) => x.id === r.decisionId);
        if (r.ok) this.m.applied.inc({ actuator: a.name, action: d?.action ?? 'unknown' });
        else {
          this.m.failed.inc({ actuator: a.name });
          this.log.error({ actuator: a.name, decision: r.decisionId, detail: r.detail }, 'actuator failed');
        }
        let list = out.get(r.decisionId);
        if (!list) out.set(r.decisionId, (list = []));
        list.push({ actuator: a.name, result: r });
      }
    }
    return out;
  }

  /** An enforcement point that is down fails its decisions, not the enforcer. */
  private async safely(a: Actuator, op: 'apply' | 'remove', ds: Decision[]): Promise<ActuatorResult[]> {
    try {
      return await a[op](ds);
    } catch (err) {
      const detail = `${op} failed: ${err instanceof Error ? err.message : String(err)}`;
      return ds.map((d) => ({ decisionId: d.id, ok: false, detail }));
    }
  }

  private gauges(now: number): void {
    this.m.breaker.set({}, this.guardrails.breakerOpen(now) ? 1 : 0);
    this.m.live.set({}, this.live.count(now));
  }
}

function scopeOf(e: LiveEntry): Decision['scope'] {
  if (e.action === 'suspend-account') return 'proxy';
  if (e.action === 'deny-peer') return 'relay';
  return 'firewall';
}

function adopted(e: LiveEntry, scope: Decision['scope'], now: number): Decision {
  const ttl = Math.max(1, Math.ceil(((e.expiresAt ?? now) - now) / 1000));
  const id = `adopted-${scope}-${e.target.type}-${e.target.value}`;
  return {
    '@timestamp': new Date(now).toISOString(),
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action: e.action ?? 'block',
    target: e.target,
    scope,
    ttl_seconds: ttl,
    reason: 'live at the enforcement point when the enforcer started',
    finding_ids: [],
    origin: { type: 'detector', id: 'unknown' },
    mode: 'enforce',
  };
}

/** For actuators without their own: re-apply what list() does not show, for the time it has left. */
async function genericReconcile(a: Actuator, desired: Decision[], now: number): Promise<{ restored: ActuatorResult[] }> {
  const live = new Map((await a.list()).map((e) => [`${e.target.type}:${e.target.value}`, e]));
  const missing = desired.filter((d) => {
    const have = live.get(`${d.target.type}:${d.target.value}`);
    return !have || (have.expiresAt !== undefined && have.expiresAt + 2000 < now + d.ttl_seconds * 1000);
  });
  return { restored: missing.length > 0 ? await a.apply(missing) : [] };
}
