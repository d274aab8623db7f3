import type { Finding } from '../core/records';
import { alertName } from './alert';
import { AlertBook } from './alert-book';
import { sinksFor } from './routes';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const finding = (ip: string, over: Partial<Finding> = {}): Finding =>
  ({
    '@timestamp': '2026-01-01T00:00:00Z',
    event: { id: `f-${ip}`, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: 'sip/request-flood', name: 'SIP request flood from one source', description: 'One source sends more requests than the threshold', category: 'dos' },
    severity: 'high',
    key: { type: 'ip', value: ip },
    window: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:10Z', seconds: 10 },
    counts: { INVITE: 150, threshold: 100 },
    evidence: { record_ids: ['r1', 'r2'] },
    labels: { behavior: 'sip:flood' },
    remediation: 'block-source',
    first_seen: '2026-01-01T00:00:00Z',
    last_seen: '2026-01-01T00:00:09Z',
    ...over,
  }) as Finding;

const book = () => new AlertBook({ runbookBaseUrl: 'https://runbooks.example/', resolveAfterMs: 300_000, resendMs: 60_000, maxKeysPerGroup: 3 });

describe('alert book', () => {
  it('turns a finding into an Alertmanager alert with labels, evidence, runbook and an end that resolves it', () => {
    const [a] = book().observe(finding('203.0.113.9'), T0);
    expect(a.labels).toEqual({ alertname: 'CallsentrySipRequestFlood', severity: 'high', detector: 'sip/request-flood', family: 'dos', tenant: 'default', key: 'ip:203.0.113.9' });
    expect(a.annotations.description).toMatch(/INVITE=150, threshold=100 in 10s .* sample records r1, r2\. Remedy proposed: block-source/);
    expect(a.annotations.runbook_url).toBe('https://runbooks.example/dos.md');
    expect(Date.parse(a.endsAt) - Date.parse(a.startsAt)).toBe(300_000);
    expect(alertName('fraud/high-cost-destination')).toBe('CallsentryFraudHighCostDestination');
  });

  it('sends an ongoing attack once, again only to move its end, and keeps its start', () => {
    const b = book();
    const [first] = b.observe(finding('203.0.113.9'), T0);
    b.markSent([first], T0);
    expect(b.observe(finding('203.0.113.9'), T0 + 10_000)).toEqual([]);
    const [again] = b.observe(finding('203.0.113.9'), T0 + 61_000);
    expect(again.startsAt).toBe(first.startsAt);
    expect(Date.parse(again.endsAt)).toBe(T0 + 61_000 + 300_000);
  });

  it('sends again what a failed send left unsent', () => {
    const b = book();
    expect(b.observe(finding('203.0.113.9'), T0)).toHaveLength(1);
    // no markSent: the sink was down and the finding comes back with the re-delivered batch
    expect(b.observe(finding('203.0.113.9'), T0 + 1000)).toHaveLength(1);
  });

  it('collapses a flood from many sources into one alert per detector and tenant', () => {
    const b = book();
    const sent = [];
    for (let i = 1; i <= 10_000; i++) {
      const due = b.observe(finding(`198.18.${i >> 8}.${i & 255}`), T0 + i);
      b.markSent(due, T0 + i);
      sent.push(...due);
    }
    // three keys alert on their own, then one collapsed alert, sent once within the resend interval
    expect(sent.map((a) => a.labels.key)).toEqual(['ip:198.18.0.1', 'ip:198.18.0.2', 'ip:198.18.0.3', 'many']);
    expect(sent[3].annotations.summary).toMatch(/: 4 ip keys in tenant default/);
    expect(b.activeCount(T0 + 10_000)).toBe(4);
    expect(b.activeCount(T0 + 10_000 + 300_000)).toBe(0);
  });

  it('keeps tenants apart', () => {
    const b = book();
    expect(b.observe(finding('203.0.113.9', { organization: { id: 'acme' } }), T0)[0].labels.tenant).toBe('acme');
    expect(b.observe(finding('203.0.113.9', { organization: { id: 'globex' } }), T0)).toHaveLength(1);
  });
});

describe('routes', () => {
  const a = (severity: string, tenant: string) => ({ labels: { severity, tenant }, annotations: {}, startsAt: '', endsAt: '' });
  it('sends by severity and tenant, first match wins; without routes everywhere', () => {
    const routes = [{ severity: ['critical'], sinks: ['alertmanager', 'pager'] }, { tenant: ['acme'], sinks: ['acme-hook'] }, { sinks: ['alertmanager'] }];
    expect(sinksFor(a('critical', 'acme'), routes, [])).toEqual(['alertmanager', 'pager']);
    expect(sinksFor(a('high', 'acme'), routes, [])).toEqual(['acme-hook']);
    expect(sinksFor(a('low', 'globex'), routes, [])).toEqual(['alertmanager']);
    expect(sinksFor(a('low', 'globex'), [], ['x', 'y'])).toEqual(['x', 'y']);
  });
});
