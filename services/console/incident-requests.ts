// What an operator may ask of incidents (list filters, ack, resolve, reopen, assign, note),
// checked and turned into the records that carry it: an IncidentAction on incidents.actions.v1
// and the audit event saying who asked, why, and under which ticket. Pure: no I/O.
import { stableId } from '../core/ids';
import type { AuditEvent, IncidentAction, IncidentActionKind, IncidentStatus, OperatorNote, Severity } from '../core/records';
import type { IncidentFilter } from '../incidents/incident-view';
import { OperatorRequestError } from './operator-actions';

const INCIDENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PERSON = /^[A-Za-z0-9._@+-]{0,64}$/;
const STATUSES: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
const MAX_BULK = 500;

export function parseIncidentId(v: unknown): string {
  if (typeof v !== 'string' || !INCIDENT_ID.test(v)) throw new OperatorRequestError('id must be the id of an incident (letters, digits, . _ : -)');
  return v;
}

/** `ids` of a bulk request: 1 to 500 incident ids, duplicates dropped. */
export function parseIncidentIds(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_BULK) throw new OperatorRequestError(`ids must be a list of 1 to ${MAX_BULK} incident ids`);
  return [...new Set(v.map(parseIncidentId))];
}

/** `30m`, `4h`, `2d`, `90s` back from now, or an ISO time. */
export function parseSince(v: string, now: number): number {
  const m = /^(\d{1,9})([smhd])$/.exec(v);
  if (m) return now - Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] * 1000;
  const t = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new OperatorRequestError(`since must be a duration (30m, 4h, 2d) or an ISO time, got ${JSON.stringify(v.slice(0, 40))}`);
  return t;
}

/** The query of GET /v1/incidents. */
export function parseIncidentFilter(q: Record<string, unknown>, now: number): IncidentFilter {
  const text = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || v.length > 200) throw new OperatorRequestError(`${name} must be a short text`);
    return v;
  };
  const f: IncidentFilter = {};
  const since = text('since');
  if (since) f.since = parseSince(since, now);
  const status = text('status');
  if (status) {
    const list = status.split(',').map((s) => s.trim());
    for (const s of list) if (!STATUSES.includes(s as IncidentStatus)) throw new OperatorRequestError(`status must be a comma-separated list of ${STATUSES.join(', ')}; got ${JSON.stringify(s)}`);
    f.status = list as IncidentStatus[];
  }
  const severity = text('severity');
  if (severity) {
    if (!SEVERITIES.includes(severity as Severity)) throw new OperatorRequestError(`severity must be one of ${SEVERITIES.join(', ')}`);
    f.severity = severity as Severity;
  }
  const key = text('key');
  if (key) f.key = /^(ip|cidr|account|number):./.test(key) ? key : `ip:${key}`;
  const limit = text('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new OperatorRequestError('limit must be a whole number from 1 to 1000');
    f.limit = n;
  }
  return f;
}

export function parseAssignee(v: unknown): string {
  if (typeof v !== 'string' || !PERSON.test(v)) throw new OperatorRequestError('assignee must be a name of up to 64 letters, digits or . _ @ + - (empty: nobody)');
  return v;
}

export function parseNoteText(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new OperatorRequestError('text is required');
  if (v.length > 2000) throw new OperatorRequestError('text is longer than 2000 characters');
  return v.trim();
}

/** The action record and its audit event. */
export function incidentAction(o: { incidentId: string; action: IncidentActionKind; note: OperatorNote; now: number; assignee?: string; text?: string }): { action: IncidentAction; audit: AuditEvent } {
  const at = new Date(o.now).toISOString();
  const id = stableId('incident-action', o.action, o.incidentId, o.note.who, o.note.ticket, o.assignee ?? '', o.text ?? '', at);
  const action: IncidentAction = {
    '@timestamp': at,
    id,
    incident_id: o.incidentId,
    action: o.action,
    ...(o.assignee !== undefined ? { assignee: o.assignee } : {}),
    ...(o.text !== undefined ? { text: o.text } : {}),
    operator: o.note,
  };
  const verb = { ack: 'acknowledge', resolve: 'resolve', reopen: 'reopen', assign: `assign to ${o.assignee || 'nobody'}`, note: 'add a note to' }[o.action];
  const what = o.action === 'assign' ? `assign incident ${o.incidentId} to ${o.assignee || 'nobody'}` : `${verb} incident ${o.incidentId}`;
  const result = { ack: 'acknowledged', resolve: 'resolved', reopen: 'reopened', assign: 'assigned', note: 'noted' }[o.action];
  const audit: AuditEvent = {
    '@timestamp': at,
    id: stableId('audit', 'operator', id),
    actor: { type: 'operator', id: o.note.who },
    what,
    why: o.note.why,
    result,
    outcome: result,
    ref: { kind: 'incident', id: o.incidentId },
    ticket: o.note.ticket,
  };
  return { action, audit };
}
