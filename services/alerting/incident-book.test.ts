import type { Incident, Severity } from '../core/records';
import { incidentAlert } from './alert';
import { IncidentBook } from './incident-book';
import { sinksFor } from './routes';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function incident(id: string, over: Partial<Incident> & { rule?: string } = {}): Incident {
  const { rule = 'sip/digest-bruteforce', ...rest } = over;
  return {
    '@timestamp': '2026-01-01T00:00:00Z',
    event: { id, kind: 'event', dataset: 'callsentry.incident' },
    id,
    revision: 1,
    changes: ['opened'],
    title: '203.0.113.7: brute-force',
    status: 'open',
    severity: 'high',
    phases: ['brute-force'],
    keys: [{ type: 'ip', value: '203.0.113.7' }],
    first_seen: '2026-01-01T00:00:00Z',
    last_seen: '2026-01-01T00:00:00Z',
    timeline: [{ id: 'f1', phase: 'brute-force', rule_id: rule, rule_name: 'x', severity: 'high', key: { type: 'ip', value: '203.0.113.7' }, first_seen: '2026-01-01T00:00:00Z', last_seen: '2026-01-01T00:00:00Z' }],
    finding_count: 1,
    decisions: [],
    notes: [],
    ...rest,
  };
}

const book = () => new IncidentBook({ runbookBaseUrl: 'https://runbooks.example/', resolveAfterMs: 300_000, resendMs: 60_000, maxKeysPerGroup: 3 });
const send = (b: IncidentBook, i: Incident, now: number) => {
  const due = b.observe(i, now);
  b.markSent(due, now);
  return due;
};

describe('incident book', () => {
  it('pages an incident with labels fixed for its life, the severity, the runbook and an end', () => {
    const [a] = book().observe(incident('i1'), T0);
    expect(a.labels).toEqual({ alertname: 'CallsentryIncident', incident: 'i1', tenant: 'default' });
    expect(a.annotations.severity).toBe('high');
    expect(a.annotations.runbook_url).toBe('https://runbooks.example/credential.md');
    expect(a.annotations.description).toMatch(/1 finding\(s\) .*sip\/digest-bruteforce.*Keys: ip:203\.0\.113\.7/);
    expect(Date.parse(a.endsAt) - Date.parse(a.startsAt)).toBe(300_000);
  });

  it('updates the same alert at once when the incident escalates or reaches a new phase, and keeps its start', () => {
    const b = book();
    const [first] = send(b, incident('i1'), T0);
    const [up] = send(b, incident('i1', { revision: 2, severity: 'critical', finding_count: 2 }), T0 + 1000);
    expect(up.labels).toEqual(first.labels);
    expect(up.annotations.severity).toBe('critical');
    expect(up.startsAt).toBe(first.startsAt);
    const [phase] = send(b, incident('i1', { revision: 3, severity: 'critical', phases: ['brute-force', 'fraud'], finding_count: 3 }), T0 + 2000);
    expect(phase.annotations.phases).toBe('brute-force, fraud');
    expect(phase.annotations.runbook_url).toMatch(/fraud\.md$/);
  });

  it('does not send per finding: growth alone is sent at most every resend interval, other changes never', () => {
    const b = book();
    send(b, incident('i1'), T0);
    expect(send(b, incident('i1', { revision: 2, finding_count: 2 }), T0 + 10_000)).toEqual([]);
    expect(send(b, incident('i1', { revision: 3, finding_count: 2, status: 'acknowledged' }), T0 + 20_000)).toEqual([]);
    // the growth held back goes out with the next version past the resend interval, and once
    expect(send(b, incident('i1', { revision: 4, finding_count: 2, notes: [] }), T0 + 70_000)).toHaveLength(1);
    expect(send(b, incident('i1', { revision: 5, finding_count: 2 }), T0 + 140_000)).toEqual([]);
    expect(send(b, incident('i1', { revision: 6, finding_count: 3 }), T0 + 141_000)).toHaveLength(1);
    // an older version re-delivered is no news
    expect(send(b, incident('i1', { revision: 2, severity: 'critical' }), T0 + 80_000)).toEqual([]);
  });

  it('ends the alert once when the incident is resolved or closed', () => {
    const b = book();
    send(b, incident('i1'), T0);
    const [end] = send(b, incident('i1', { revision: 2, status: 'resolved' }), T0 + 5000);
    expect(Date.parse(end.endsAt)).toBe(T0 + 5000);
    expect(send(b, incident('i1', { revision: 3, status: 'resolved', notes: [] }), T0 + 6000)).toEqual([]);
    expect(b.activeCount(T0 + 6000)).toBe(0);
    expect(send(b, incident('i2', { closed: true }), T0)).toEqual([]);
  });

  it('sends again what a failed send left unsent', () => {
    const b = book();
    expect(b.observe(incident('i1'), T0)).toHaveLength(1);
    expect(b.observe(incident('i1', { revision: 2 }), T0 + 1000)).toHaveLength(1);
  });

  it('collapses a flood of unlinked incidents from one detector into one alert', () => {
    const b = book();
    const sent = [];
    for (let i = 1; i <= 10_000; i++) sent.push(...send(b, incident(`i${i}`, { rule: 'sip/request-flood' }), T0 + i));
    expect(sent.map((a) => a.labels.incident)).toEqual(['i1', 'i2', 'i3', 'many:sip/request-flood']);
    expect(sent[3].annotations.summary).toMatch(/^1 more incidents like/);
    expect(b.activeCount(T0 + 10_000)).toBe(4);
    expect(b.activeCount(T0 + 10_000 + 300_000)).toBe(0);
  });

  it('keeps tenants apart', () => {
    const b = book();
    expect(b.observe(incident('i1', { organization: { id: 'acme' } }), T0)[0].labels.tenant).toBe('acme');
  });
});

describe('routes', () => {
  it('sends by severity (an incident carries it as an annotation) and tenant, first match wins; without routes everywhere', () => {
    const a = (severity: Severity, tenant: string) => incidentAlert(incident('i', { severity, organization: { id: tenant } }), T0, { runbookBaseUrl: '', resolveAfterMs: 1 }, false);
    const routes = [{ severity: ['critical'], sinks: ['alertmanager', 'pager'] }, { tenant: ['acme'], sinks: ['acme-hook'] }, { sinks: ['alertmanager'] }];
    expect(sinksFor(a('critical', 'acme'), routes, [])).toEqual(['alertmanager', 'pager']);
    expect(sinksFor(a('high', 'acme'), routes, [])).toEqual(['acme-hook']);
    expect(sinksFor(a('low', 'globex'), routes, [])).toEqual(['alertmanager']);
    expect(sinksFor(a('low', 'globex'), [], ['x', 'y'])).toEqual(['x', 'y']);
  });
});
