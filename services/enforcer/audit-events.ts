// Every decision's outcome, as the audit trail records it: who acted, what, why, and what came of
// it. Ids are stable, so a re-delivered decision is recorded once.
import { stableId } from '../core/ids';
import type { AuditEvent, Decision } from '../core/records';
import type { Outcome } from './enforcer';

export function describe(d: Decision): string {
  const ttl = d.action === 'unblock' || d.action === 'alert-only' || d.action === 'deny-call' ? '' : ` for ${d.ttl_seconds}s`;
  return `${d.action} ${d.target.type}=${d.target.value} at ${d.scope}${ttl}`;
}

export function outcomeEvent(o: Outcome, enforcerId: string, at: string): AuditEvent {
  const d = o.decision;
  const result = 'guardrail' in o ? `${o.result} by guardrail ${o.guardrail}: ${o.reason}` : 'details' in o ? `${o.result}${'note' in o && o.note ? ` (${o.note})` : ''}: ${o.details.join('; ')}` : `no change: ${o.reason}`;
  const e: AuditEvent = {
    '@timestamp': at,
    id: stableId('audit', 'enforce', d.id, o.result),
    actor: { type: 'enforcer', id: enforcerId },
    what: `${d.mode === 'dry-run' ? 'dry-run ' : ''}${describe(d)}`,
    why: d.operator ? `operator ${d.operator.who}: ${d.operator.why}` : d.reason,
    result,
    outcome: o.result,
    ref: { kind: 'decision', id: d.id },
  };
  if (d.operator) e.ticket = d.operator.ticket;
  return e;
}
