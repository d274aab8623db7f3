import { demoScenario, generate } from '../collector/synthetic';
import type { SipFlow } from '../core/records';
import { DetectorEngine } from './engine';
import { activeDetectors } from './registry';

const flood = (ip: string, n: number, t0: number, proven = false): SipFlow[] =>
  Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(t0 + i * 10).toISOString(),
    event: { id: `${ip}-${i}`, kind: 'event', dataset: 'sip.flow' },
    source: { ip, port: 5060 },
    destination: { ip: '192.0.2.10', port: 5060 },
    network: { transport: 'udp' },
    sip: { call_id: `${ip}-${i}`, method: 'INVITE', status: 407, source_proven: proven },
  }));

describe('DetectorEngine', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('gives identical findings for the same records, whatever the wall clock', () => {
    const records = generate({ ...demoScenario(t0, 60) }, 0, 60);
    const run = () => {
      const engine = new DetectorEngine(activeDetectors());
      return records.flatMap((r) => engine.process(r));
    };
    const a = run();
    const b = run();
    expect(a.length).toBe(2);
    expect(a).toEqual(b);
  });

  it('says whether the offending traffic came from a proven source', () => {
    const e = new DetectorEngine(activeDetectors());
    const [unproven] = flood('203.0.113.1', 100, t0).flatMap((r) => e.process(r));
    const [proven] = flood('203.0.113.2', 100, t0, true).flatMap((r) => e.process(r));
    expect(unproven.source_proven).toBe(false);
    expect(proven.source_proven).toBe(true);
  });

  it('bounds the keys it holds and counts what it evicts', () => {
    const e = new DetectorEngine(activeDetectors(), { maxKeysPerDetector: 1000 });
    for (let i = 0; i < 5000; i++) e.process(flood(`10.0.${i >> 8}.${i & 255}`, 1, t0 + i)[0]);
    expect(e.snapshot().liveKeys).toBe(1000);
    expect(e.snapshot().evictedKeys).toBe(4000);
  });

  it('forgets idle keys once their window and suppression have passed', () => {
    const e = new DetectorEngine(activeDetectors());
    for (let i = 0; i < 100; i++) e.process(flood(`10.1.0.${i}`, 1, t0)[0]);
    expect(e.snapshot().liveKeys).toBe(100);
    e.process(flood('10.2.0.1', 1, t0 + 3_600_000)[0]);
    expect(e.snapshot().liveKeys).toBe(1);
  });
});
