// Every deny is a decision (action deny-call, scope proxy): published on decisions.v1, so the audit
// trail chains it, the indexer indexes it and the console lists it like any other. A burst of
// denied calls must not flood the bus: one decision per target (the account, else the source
// address) per verdicts.decision_window_seconds, at the window's first deny; when the window closes
// with more denies than that one, an audit event counts them against the decision.
import { stableId } from '../core/ids';
import type { AuditEvent, Decision, Key } from '../core/records';
import type { CallQuery, Verdict } from './verdict';

interface Window {
  start: number;
  decision: Decision;
  denied: number;
  lastReason: string;
}

export interface DenyDecisionOptions {
  windowSeconds: number;
  publishDecision: (d: Decision) => void;
  publishAudit: (e: AuditEvent) => void;
  /** targets tracked at once; beyond it the oldest window is closed early */
  maxTargets?: number;
}

export class DenyDecisions {
  private readonly windows = new Map<string, Window>();
  private readonly max: number;
  decisions = 0;

  constructor(private readonly o: DenyDecisionOptions) {
    this.max = o.maxTargets ?? 100_000;
  }

  /** A call was denied: a decision when it opens its target's window, a count otherwise. */
  denied(q: CallQuery, v: Verdict, now: number): void {
    const target: Key = q.account ? { type: 'account', value: q.account } : { type: 'ip', value: q.source_ip };
    const k = `${target.type}:${target.value}`;
    const w = this.windows.get(k);
    if (w && now - w.start < this.o.windowSeconds * 1000) {
      w.denied++;
      w.lastReason = v.reason;
      return;
    }
    if (w) this.close(k, w);
    if (this.windows.size >= this.max) {
      const [oldest, ow] = this.windows.entries().next().value as [string, Window];
      this.close(oldest, ow);
    }
    const id = stableId('deny-call', target.type, target.value, now);
    const at = new Date(now).toISOString();
    const decision: Decision = {
      '@timestamp': at,
      event: { id, kind: 'event', dataset: 'callsentry.decision' },
      id,
      action: 'deny-call',
      target,
      scope: 'proxy',
      ttl_seconds: this.o.windowSeconds,
      reason: `${v.rule}: ${v.reason}`.slice(0, 1024),
      finding_ids: v.finding_ids,
      origin: { type: 'verdict', id: v.rule },
      mode: 'enforce',
    };
    this.windows.set(k, { start: now, decision, denied: 1, lastReason: v.reason });
    this.decisions++;
    this.o.publishDecision(decision);
  }

  /** Closes the windows that have run out (call it on a timer, and at stop with Infinity). */
  sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.o.windowSeconds * 1000) this.close(k, w);
  }

  private close(k: string, w: Window): void {
    this.windows.delete(k);
    if (w.denied <= 1) return;
    const d = w.decision;
    const e: AuditEvent = {
      '@timestamp': new Date(w.start + this.o.windowSeconds * 1000).toISOString(),
      id: stableId('audit', 'deny-call-count', d.id),
      actor: { type: 'decider', id: `verdict:${d.origin.id}` },
      what: `deny-call ${d.target.type}=${d.target.value} at proxy`,
      why: w.lastReason.slice(0, 1024),
      result: `${w.denied} calls denied in the ${this.o.windowSeconds}s window of decision ${d.id}`,
      outcome: 'counted',
      ref: { kind: 'decision', id: d.id },
    };
    this.o.publishAudit(e);
  }
}
