// What each input record says in the audit trail: who acted, what, why, and what came of it.
// `source_id` names the record, so the same record re-delivered is chained once.
import type { AuditEvent, Decision, Finding, Incident } from '../core/records';
import { describe } from '../enforcer/audit-events';
import type { EntryDraft } from './chain';

export function findingDraft(f: Finding): EntryDraft {
  const counts = Object.entries(f.counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return {
    '@timestamp': f['@timestamp'],
    source_id: `finding:${f.event.id}`,
    actor: { type: 'detector', id: f.rule.id },
    what: `finding ${f.rule.id} ${f.key.type}=${f.key.value}`,
    why: `${f.rule.description ?? f.rule.name}; ${f.severity}; ${counts || 'no counts'} in ${f.window.seconds}s; ${f.source_proven ? 'proven source' : 'unproven source'}`,
    result: 'recorded',
    ref: { kind: 'finding', id: f.event.id },
  };
}

export function decisionDraft(d: Decision): EntryDraft {
  const draft: EntryDraft = {
    '@timestamp': d['@timestamp'],
    source_id: `decision:${d.id}`,
    // an operator's decision is decided by the operator; the rest by the decision policy for a detector
    actor: { type: 'decider', id: d.origin.type === 'operator' ? `operator:${d.origin.id}` : d.origin.type === 'verdict' ? `verdict:${d.origin.id}` : d.origin.id },
    what: `decision ${d.mode === 'dry-run' ? 'dry-run ' : ''}${describe(d)}`,
    why: d.reason,
    result: `decided (${d.mode})`,
    ref: { kind: 'decision', id: d.id },
  };
  if (d.operator?.ticket) draft.ticket = d.operator.ticket;
  return draft;
}

export function eventDraft(e: AuditEvent): EntryDraft {
  const draft: EntryDraft = { '@timestamp': e['@timestamp'], source_id: `audit:${e.id}`, actor: e.actor, what: e.what, why: e.why, result: e.result };
  if (e.ref) draft.ref = e.ref;
  if (e.ticket) draft.ticket = e.ticket;
  if (e.outcome) draft.outcome = e.outcome;
  return draft;
}

/** the incident versions the trail keeps: not every finding that grows one (each finding has its own entry) */
const CHAINED: ReadonlySet<string> = new Set(['opened', 'escalated', 'phase', 'status', 'assigned', 'merged', 'closed']);

/** An incident version, when it changed something the trail keeps; undefined otherwise. */
export function incidentDraft(i: Incident): EntryDraft | undefined {
  const kept = i.changes.filter((c) => CHAINED.has(c));
  if (kept.length === 0) return undefined;
  return {
    '@timestamp': i['@timestamp'],
    source_id: `incident:${i.id}:${i.revision}`,
    actor: { type: 'system', id: 'incidents' },
    what: `incident ${i.id} ${kept.join(', ')}: ${i.title}`.slice(0, 2048),
    why: `${i.severity}; ${i.finding_count} finding(s) ${i.first_seen} to ${i.last_seen}; keys ${i.keys.slice(0, 10).map((k) => `${k.type}:${k.value}`).join(', ')}${i.assignee ? `; assignee ${i.assignee}` : ''}`.slice(0, 2048),
    result: i.closed ? `${i.status}, closed` : i.status,
    ref: { kind: 'incident', id: i.id },
  };
}
