import { FlowRing } from './flow-ring';
import { parsePromText, sumBy } from './prom-text';
import { Series } from './series';
import { HealthMonitor } from './health';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import type { SipFlow } from '../core/records';

const flow = (i: number, ip: string, account?: string): SipFlow => ({
  '@timestamp': new Date(1_700_000_000_000 + i).toISOString(),
  event: { id: `f${i}`, kind: 'event', dataset: 'sip.flow' },
  source: { ip, port: 5060 },
  destination: { ip: '192.0.2.10', port: 5060 },
  network: { transport: 'udp' },
  sip: { call_id: `c${i}@x`, method: 'INVITE', ...(account ? { account } : {}) },
});

describe('flow ring', () => {
  it('keeps the newest N flows and finds them by source, account or call id, newest first', () => {
    const ring = new FlowRing(3);
    ring.add(flow(1, '203.0.113.1'));
    ring.add(flow(2, '203.0.113.2', '105'));
    ring.add(flow(3, '203.0.113.1'));
    ring.add(flow(4, '203.0.113.1'));
    expect([ring.size, ring.total]).toEqual([3, 4]);
    expect(ring.search('203.0.113.1').map((r) => r.id)).toEqual(['f4', 'f3']);
    expect(ring.search('105').map((r) => r.id)).toEqual(['f2']);
    expect(ring.search('c3@x').map((r) => r.id)).toEqual(['f3']);
    expect(ring.search('  ')).toEqual([]);
  });
});

describe('series', () => {
  it('counts per bucket, keeps a fixed window and fills the gaps', () => {
    const s = new Series(10_000, 3);
    s.add(5_000, 'dos');
    s.add(6_000, 'dos');
    s.add(25_000, 'fraud');
    expect(s.snapshot(29_000)).toEqual([
      { t: 0, counts: { dos: 2 } },
      { t: 10_000, counts: {} },
      { t: 20_000, counts: { fraud: 1 } },
    ]);
    expect(s.snapshot(59_000).every((p) => Object.keys(p.counts).length === 0)).toBe(true);
  });
});

describe('health from metrics text', () => {
  it('reads the Prometheus text format, labels with escapes included', () => {
    const samples = parsePromText('# HELP x\nx{a="1",b="q\\"uote"} 2\nx{a="2"} 3\ny 1.5\n');
    expect(samples[0]).toEqual({ name: 'x', labels: { a: '1', b: 'q"uote' }, value: 2 });
    expect(sumBy(samples, 'x', 'a')).toEqual({ 1: 2, 2: 3 });
    expect(sumBy(samples, 'y')).toEqual({ total: 1.5 });
  });

  it('summarises rates, lag, dead letters and the breaker from a registry, and says which source is down', async () => {
    const m = new PromMetricsRegistry();
    const inc = m.counter('callsentry_stage_records_in_total', 'x');
    m.gauge('callsentry_enforcer_circuit_open', 'x').set({}, 1);
    m.counter('callsentry_dlq_total', 'x').inc({ topic: 'flows.sip.v1', reason: 'BAD_JSON' }, 2);
    m.gauge('callsentry_consumer_lag', 'x').set({ stage: 'detect-source', topic: 't', partition: '0' }, 7);
    let now = 0;
    const h = new HealthMonitor([{ name: 'here', read: async () => m.render() }, { name: 'down', read: async () => Promise.reject(new Error('ECONNREFUSED')) }], () => now);
    await h.sample();
    inc.inc({ stage: 'detect-source' }, 100);
    now = 2000;
    const got = await h.sample();
    expect(got).toMatchObject({ rates: { 'detect-source': 50 }, lag: { 'detect-source': 7 }, dlq: { 'flows.sip.v1': 2 }, circuit_open: true, live_blocks: null });
    expect(got.sources).toEqual([{ name: 'here', ok: true }, { name: 'down', ok: false, error: 'ECONNREFUSED' }]);
  });
});
