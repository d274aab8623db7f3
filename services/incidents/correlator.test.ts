import { DEFAULT_CONFIG } from '../core/config';
import type { AuditEvent, Decision, Finding, IncidentAction, Severity } from '../core/records';
import { validateIncident } from '../core/validate';
import { Correlator } from './correlator';
import { phaseOf } from './phases';

const T0 = Date.parse('2026-11-21T23:30:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
let n = 0;

function finding(o: { s: number; key: string; behavior: string; severity?: Severity; observed?: Record<string, string[]>; category?: string }): Finding {
  const [type, value] = o.key.split(/:(.*)/s) as ['ip' | 'account', string];
  const id = `f${++n}`;
  return {
    '@timestamp': at(o.s),
    event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: `test/${o.behavior}`, name: o.behavior, category: o.category ?? 'recon' },
    severity: o.severity ?? 'high',
    key: { type, value },
    window: { start: at(o.s - 10), end: at(o.s), seconds: 10 },
    counts: {},
    evidence: { record_ids: [], ...(o.observed ? { observed: o.observed } : {}) },
    labels: { behavior: o.behavior },
    remediation: 'alert-only',
    first_seen: at(o.s - 1),
    last_seen: at(o.s),
  };
}

const settings = (over: Partial<typeof DEFAULT_CONFIG.incidents> = {}) => ({ ...DEFAULT_CONFIG.incidents, ...over });

describe('correlator', () => {
  it('gathers a spray of unproven findings of one detector over one network into one incident, not below five', () => {
    const c = new Correlator(settings());
    const ids = (from: number, count: number, net: string) =>
      [...Array(count).keys()].map((i) => c.finding(finding({ s: from + i, key: `ip:${net}.${10 + i}`, behavior: 'sip:scan' })).at(-1)!.id);
    // four lone findings in 198.51.100.0/24: four incidents
    expect(new Set(ids(0, 4, '198.51.100')).size).toBe(4);
    // the fifth gathers them; the ones after it join
    const fifth = c.finding(finding({ s: 10, key: 'ip:198.51.100.99', behavior: 'sip:scan' }));
    const spray = fifth.find((i) => !i.closed)!;
    expect(spray.keys.filter((k) => k.type === 'ip')).toHaveLength(5);
    const later = c.finding(finding({ s: 11, key: 'ip:198.51.100.200', behavior: 'sip:scan' }));
    expect(later.at(-1)!.id).toBe(spray.id);
    // proven findings never join a spray: an attacker in the same network keeps its own incident
    const proven = c.finding({ ...finding({ s: 12, key: 'ip:198.51.100.250', behavior: 'sip:scan' }), source_proven: true });
    expect(proven.at(-1)!.id).not.toBe(spray.id);
  });

  it('joins a source, the account it attacked, the numbers dialled from it: one incident', () => {
    const c = new Correlator(settings());
    const a = c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce', observed: { accounts: ['105'] } }));
    const b = c.finding(finding({ s: 60, key: 'account:105', behavior: 'fraud:irsf', severity: 'critical', category: 'fraud', observed: { numbers: ['+8816802801'] } }));
    expect(b).toHaveLength(1);
    expect(b[0].id).toBe(a[0].id);
    expect(b[0].keys.map((k) => `${k.type}:${k.value}`)).toEqual(['ip:203.0.113.7', 'account:105', 'account:105', 'number:+8816802801'].filter((x, i, xs) => xs.indexOf(x) === i));
    expect(b[0].revision).toBe(2);
    expect(validateIncident(b[0]) || validateIncident.lastError()).toBe(true);
  });

  it('keeps unlinked sources apart', () => {
    const c = new Correlator(settings());
    const a = c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan' }));
    const b = c.finding(finding({ s: 1, key: 'ip:203.0.113.8', behavior: 'sip:scan' }));
    expect(a[0].id).not.toBe(b[0].id);
  });

  it('opens a new incident after the gap, and closes the old one', () => {
    const c = new Correlator(settings({ gap_seconds: 1800 }));
    const a = c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan' }));
    expect(c.finding(finding({ s: 1800, key: 'ip:203.0.113.7', behavior: 'sip:enumeration' }))[0].id).toBe(a[0].id);
    const later = c.finding(finding({ s: 1800 + 1801, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce' }));
    const closed = later.find((i) => i.id === a[0].id);
    const fresh = later.find((i) => i.id !== a[0].id);
    expect(closed?.closed).toBe(true);
    expect(fresh?.closed).toBeUndefined();
    expect(fresh?.finding_count).toBe(1);
  });

  it('orders the timeline by kill chain, whatever the arrival order, and lists the phases in that order', () => {
    const c = new Correlator(settings());
    c.finding(finding({ s: 10, key: 'account:105', behavior: 'fraud:toll', category: 'fraud', observed: { sources: ['203.0.113.7'] } }));
    c.finding(finding({ s: 11, key: 'ip:203.0.113.7', behavior: 'sip:flood', category: 'dos' }));
    c.finding(finding({ s: 12, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce', category: 'credential' }));
    const [inc] = c.finding(finding({ s: 13, key: 'ip:203.0.113.7', behavior: 'sip:scan' }));
    expect(inc.timeline.map((e) => e.phase)).toEqual(['scan', 'brute-force', 'fraud', 'flood']);
    expect(inc.phases).toEqual(['scan', 'brute-force', 'fraud', 'flood']);
    expect(inc.title).toBe('203.0.113.7 (account 105): scan → brute-force → fraud → flood');
  });

  it('takes the highest severity of its findings, never lowering it', () => {
    const c = new Correlator(settings());
    c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan', severity: 'medium' }));
    expect(c.finding(finding({ s: 1, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce', severity: 'critical' }))[0].severity).toBe('critical');
    expect(c.finding(finding({ s: 2, key: 'ip:203.0.113.7', behavior: 'sip:flood', severity: 'low' }))[0].severity).toBe('critical');
  });

  it('merges two incidents a finding links, the merged one closed and pointing to the survivor', () => {
    const c = new Correlator(settings());
    const a = c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan' }))[0];
    const b = c.finding(finding({ s: 1, key: 'account:105', behavior: 'sip:account-takeover', category: 'credential' }))[0];
    const out = c.finding(finding({ s: 2, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce', observed: { accounts: ['105'] } }));
    const survivor = out.find((i) => !i.closed)!;
    const merged = out.find((i) => i.closed)!;
    expect([a.id, b.id]).toContain(survivor.id);
    expect(survivor.finding_count).toBe(3);
    expect(merged.notes.at(-1)?.text).toBe(`merged into incident ${survivor.id}`);
  });

  it('does not link through a spray: too many values in one set link none of them', () => {
    const c = new Correlator(settings({ max_links_per_set: 3 }));
    const sources = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
    c.finding(finding({ s: 0, key: 'account:105', behavior: 'sip:bruteforce', observed: { sources } }));
    const other = c.finding(finding({ s: 1, key: 'ip:198.51.100.1', behavior: 'sip:scan' }))[0];
    expect(other.finding_count).toBe(1);
    expect(c.size).toBe(2);
  });

  it('counts a re-delivered finding once', () => {
    const c = new Correlator(settings());
    const f = finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan' });
    c.finding(f);
    expect(c.finding(f)).toEqual([]);
  });

  it('holds at most max_open incidents, and max_keys keys and max_timeline findings per incident', () => {
    const c = new Correlator(settings({ max_open: 50, max_keys: 3, max_timeline: 2 }));
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(c.finding(finding({ s: i, key: `ip:10.0.${i >> 8}.${i & 255}`, behavior: 'sip:scan' }))[0].id);
    expect(c.size).toBe(50);
    // the longest quiet left first
    expect(ids.slice(-50).every((id) => c.get(id))).toBe(true);
    expect(c.get(ids[0])).toBeUndefined();
    const c2 = new Correlator(settings({ max_keys: 3, max_timeline: 2 }));
    let last;
    for (let i = 0; i < 10; i++) last = c2.finding(finding({ s: i, key: 'account:105', behavior: 'sip:bruteforce', observed: { sources: [`10.1.0.${i}`] } }))[0];
    expect(last!.keys).toHaveLength(3);
    expect(last!.timeline).toHaveLength(2);
    expect(last!.finding_count).toBe(10);
  });

  it('carries the decisions on its findings and the enforcer outcome, also when the outcome comes first', () => {
    const c = new Correlator(settings());
    const f = finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce' });
    const [inc] = c.finding(f);
    const d = { '@timestamp': at(1), id: 'd1', action: 'block', target: f.key, scope: 'firewall', ttl_seconds: 600, mode: 'dry-run', finding_ids: [f.event.id] } as unknown as Decision;
    const e: AuditEvent = { '@timestamp': at(1), id: 'a1', actor: { type: 'enforcer', id: 'e' }, what: 'block', why: 'x', result: 'refused by allowlist', outcome: 'refused', ref: { kind: 'decision', id: 'd1' } };
    expect(c.audit(e)).toEqual([]);
    const [after] = c.decision(d);
    expect(after.id).toBe(inc.id);
    expect(after.decisions).toEqual([expect.objectContaining({ id: 'd1', action: 'block', outcome: 'refused', result: 'refused by allowlist', ttl_seconds: 600 })]);
  });

  it('applies operator actions once, with who, ticket and why as notes; a new finding reopens a resolved incident', () => {
    const c = new Correlator(settings());
    const [inc] = c.finding(finding({ s: 0, key: 'ip:203.0.113.7', behavior: 'sip:scan' }));
    const act = (id: string, action: IncidentAction['action'], extra: Partial<IncidentAction> = {}): IncidentAction => ({ '@timestamp': at(5), id, incident_id: inc.id, action, operator: { who: 'ana', why: 'seen', ticket: 'NOC-1' }, ...extra });
    expect(c.action(act('x1', 'ack'))[0].status).toBe('acknowledged');
    expect(c.action(act('x1', 'ack'))).toEqual([]);
    expect(c.action(act('x2', 'assign', { assignee: 'bo' }))[0].assignee).toBe('bo');
    const [resolved] = c.action(act('x3', 'resolve'));
    expect(resolved.status).toBe('resolved');
    expect(resolved.notes.map((x) => [x.who, x.ticket, x.text])).toEqual([
      ['ana', 'NOC-1', 'ack: seen'],
      ['ana', 'NOC-1', 'assign to bo: seen'],
      ['ana', 'NOC-1', 'resolve: seen'],
    ]);
    const [again] = c.finding(finding({ s: 10, key: 'ip:203.0.113.7', behavior: 'sip:bruteforce' }));
    expect(again.status).toBe('open');
    expect(c.action({ ...act('x4', 'ack'), incident_id: 'nope' })).toEqual([]);
  });

  it('maps behaviours to phases, falling back on the category', () => {
    expect(phaseOf({ labels: { behavior: 'fraud:wangiri' }, rule: { id: 'x', name: 'x', category: 'fraud' } })).toBe('fraud');
    expect(phaseOf({ labels: { behavior: 'sip:new-thing' }, rule: { id: 'x', name: 'x', category: 'credential' } })).toBe('brute-force');
  });
});
