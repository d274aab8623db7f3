// Each decision once the enforcer is done with it: the decision as requested, with `outcome` saying
// what happened (applied, renewed, removed, refused by which guardrail, alert-only, failed, no
// change), the action and ttl actually applied and until when. Published on decisions.outcomes.v1,
// where the printer, the console, the operator API's history and the indexer read the truth.
import type { Decision, DecisionOutcome } from '../core/records';
import type { Outcome } from './enforcer';

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function outcomeRecord(o: Outcome, enforcerId: string, now: number): Decision {
  const requested = o.requested ?? o.decision;
  const out: DecisionOutcome = { result: o.result, at: new Date(now).toISOString(), enforcer: clip(enforcerId, 256) };
  if ('guardrail' in o) {
    out.guardrail = o.guardrail;
    out.reason = clip(o.reason, 2048);
  } else if (o.result === 'noop') {
    out.reason = clip(o.reason, 2048);
  } else {
    out.details = o.details.slice(0, 32).map((d) => clip(d, 1024));
    if (o.result !== 'failed') {
      if (o.changedBy) out.guardrail = o.changedBy;
      if (o.note) out.reason = clip(o.note, 2048);
      if (o.offense !== undefined) out.offense = o.offense;
      if (o.decision.action !== requested.action) out.action_applied = o.decision.action;
      if (o.result !== 'removed') out.ttl_applied_seconds = o.decision.ttl_seconds;
      if (o.expiresAt !== undefined) out.expires_at = new Date(o.expiresAt).toISOString();
    }
  }
  const { outcome: _ignored, ...decision } = requested;
  return { ...decision, outcome: out };
}
