import type { Finding } from '../core/records';
import { decision } from '../enforcer/test-decisions';
import { History } from './history';

const finding = (id: string, at: string, over: Partial<Finding> = {}): Finding => ({
  '@timestamp': at,
  event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 47 },
  rule: { id: 'sip/request-flood', name: 'flood', category: 'dos' },
  severity: 'medium',
  key: { type: 'ip', value: '203.0.113.1' },
  window: { start: at, end: at, seconds: 10 },
  counts: {},
  evidence: { record_ids: [] },
  labels: { behavior: 'sip:flood' },
  remediation: 'block-source',
  first_seen: at,
  last_seen: at,
  ...over,
});

describe('History', () => {
  it('keeps the last N findings and decisions, the oldest going first, and forgets their links too', () => {
    const h = new History(2);
    h.finding(finding('f1', '2026-01-01T00:00:01Z'));
    h.decision(decision('d1', 'block', 'firewall', '203.0.113.1', { finding_ids: ['f1'] }));
    h.finding(finding('f2', '2026-01-01T00:00:02Z'));
    h.finding(finding('f3', '2026-01-01T00:00:03Z'));
    expect(h.findingList().map((f) => f.event.id)).toEqual(['f3', 'f2']);
    expect(h.findingById('f1')).toBeUndefined();
    expect(h.decisionsOf('f1')).toEqual([]);
    expect(h.counts).toEqual({ findings: 2, decisions: 1, capacity: 2 });
  });

  it('filters by time, key, detector and least severity', () => {
    const h = new History(10);
    h.finding(finding('old', '2026-01-01T00:00:00Z'));
    h.finding(finding('acct', '2026-01-01T01:00:00Z', { key: { type: 'account', value: '1001' }, severity: 'critical', rule: { id: 'fraud/irsf', name: 'x', category: 'fraud' } }));
    h.finding(finding('new', '2026-01-01T02:00:00Z'));
    const ids = (q: Parameters<History['findingList']>[0]) => h.findingList(q).map((f) => f.event.id);
    expect(ids({ since: Date.parse('2026-01-01T00:30:00Z') })).toEqual(['new', 'acct']);
    expect(ids({ ip: '203.0.113.1' })).toEqual(['new', 'old']);
    expect(ids({ account: '1001' })).toEqual(['acct']);
    expect(ids({ detector: 'fraud/irsf' })).toEqual(['acct']);
    expect(ids({ severity: 'high' })).toEqual(['acct']);
    expect(ids({ limit: 1 })).toEqual(['new']);
  });

  it('answers a waiter once the outcome arrives, and undefined when it does not come in time', async () => {
    const h = new History(10);
    const waiting = h.waitForOutcome('d1', 5000);
    h.decision(decision('d1', 'block', 'firewall', '203.0.113.1'));
    h.decision({ ...decision('d1', 'block', 'firewall', '203.0.113.1'), outcome: { result: 'applied', at: '2026-01-01T00:00:00Z' } });
    await expect(waiting).resolves.toMatchObject({ id: 'd1', outcome: { result: 'applied' } });
    await expect(h.waitForOutcome('never', 1)).resolves.toBeUndefined();
  });
});
