import { demoScenario, generate } from '../collector/synthetic';
import type { SipFlow } from '../core/records';
import { defineDetector, type CommonSettings, type DetectorDefinition, type WindowView } from './definition';
import { DetectorEngine } from './engine';
import { validateFinding } from '../core/validate';
import { activeDetectors } from './registry';

// one source-keyed detector, so that live keys are the sources
const perSource = () => activeDetectors().filter((a) => a.detector.id === 'sip/request-flood');

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
    // each of the demo's two flooders: its tool's User-Agent, then its rate; the INVITE flooder
    // also dials hundreds of distinct numbers without ever answering a challenge
    expect(a.map((f) => `${f.rule.id} ${f.key.value}`).sort()).toEqual([
      'sip/campaign 203.0.113.51',
      'sip/invite-scan 203.0.113.50',
      'sip/request-flood 203.0.113.50',
      'sip/request-flood 203.0.113.51',
      'sip/scanner-ua 203.0.113.50',
      'sip/scanner-ua 203.0.113.51',
    ]);
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
    // no admission gate: every new key gets state and the least recently seen one goes
    const e = new DetectorEngine(perSource(), { maxKeysPerDetector: 1000, admissionSoftLimit: Infinity });
    for (let i = 0; i < 5000; i++) e.process(flood(`10.0.${i >> 8}.${i & 255}`, 1, t0 + i)[0]);
    expect(e.statistics().liveKeys).toBe(1000);
    expect(e.statistics().evictedKeys).toBe(4000);
  });

  it('under a flood of a million forged sources keeps memory bounded and still finds the real flooders', () => {
    const e = new DetectorEngine(perSource(), { maxKeysPerDetector: 10_000 });
    const flooders = ['203.0.113.7', '203.0.113.8', '203.0.113.9'];
    const found = new Set<string>();
    const spoofed = (i: number, t: number): SipFlow => ({ ...flood(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1, t)[0] });
    const sample: Array<{ liveKeys: number; sketchBytes: number }> = [];
    // 1,000,000 one-record sources over 100 s (10,000/s); each flooder 200 INVITEs per 10 s
    for (let i = 0; i < 1_000_000; i++) {
      const t = t0 + i / 10;
      for (const f of e.process(spoofed(i, t))) found.add(f.key.value);
      if (i % 500 === 0) for (const ip of flooders) for (const f of e.process(flood(ip, 1, t)[0])) found.add(f.key.value);
      if (i === 100_000 || i === 999_999) sample.push(e.statistics());
      if (i % 50_000 === 0) expect(e.statistics().liveKeys).toBeLessThanOrEqual(10_000);
    }
    expect([...found].sort()).toEqual(flooders);
    const [early, late] = sample;
    // memory follows the cap and the sketch, not the number of sources
    expect(late.sketchBytes).toBe(early.sketchBytes);
    expect(late.sketchBytes).toBeLessThanOrEqual((1 << 20) + 64);
    expect(late.liveKeys).toBeLessThanOrEqual(10_000);
    expect(e.statistics().admissionsRefused).toBeGreaterThan(900_000);
  });

  it('forgets idle keys once their window and suppression have passed', () => {
    const e = new DetectorEngine(perSource());
    for (let i = 0; i < 100; i++) e.process(flood(`10.1.0.${i}`, 1, t0)[0]);
    expect(e.statistics().liveKeys).toBe(100);
    e.process(flood('10.2.0.1', 1, t0 + 3_600_000)[0]);
    expect(e.statistics().liveKeys).toBe(1);
  });

  it('gives evaluate distinct counts, membership and the sample, with sets bounded per key', () => {
    const views: WindowView[] = [];
    const users = defineDetector<CommonSettings>({
      id: 'test/users',
      name: 'users',
      description: 'distinct users per source',
      category: 'recon',
      keyType: 'ip',
      labels: { behavior: 'test' },
      remediation: 'alert-only',
      defaults: { enabled: true, window_seconds: 10, suppress_seconds: 0, severity: 'low' },
      settingsSchema: {},
      keyOf: (r) => r.source.ip,
      observe: (r) => ({ count: { seen: 1 }, distinct: { users: r.sip.to?.user ?? '' }, sample: { user: r.sip.to?.user ?? '' } }),
      evaluate: (w) => {
        views.push({ ...w, counts: { ...w.counts }, distinct: { ...w.distinct }, sample: { ...w.sample } });
        return undefined;
      },
    }) as unknown as DetectorDefinition<CommonSettings>;
    const e = new DetectorEngine([{ detector: users, settings: users.defaults }], { maxDistinctValues: 3 });
    const rec = (user: string, ms: number) => ({ ...flood('203.0.113.9', 1, t0 + ms)[0], sip: { call_id: user, method: 'REGISTER', status: 404, to: { user } } });
    ['100', '101', '100', '102'].forEach((u, i) => e.process(rec(u, i * 1000)));
    let last = views[views.length - 1];
    expect(last.counts.seen).toBe(4);
    // within the bound the set is exact
    expect(last.distinct.users).toBe(3);
    expect(last.sample).toEqual({ user: '102' });
    expect(last.has('users', '101')).toBe(true);
    expect(last.has('users', '999')).toBe(false);
    expect(e.statistics().sketchedSets).toBe(0);
    // a fourth value passes the bound: the set becomes a sketch that estimates, and cannot say which
    e.process(rec('103', 4000));
    last = views[views.length - 1];
    expect(last.distinct.users).toBe(4);
    expect(last.has('users', '103')).toBe(false);
    expect(e.statistics().sketchedSets).toBe(1);
    // 20 s later every value has left the 10 s window
    e.process(rec('200', 24_000));
    expect(views[views.length - 1].distinct.users).toBe(1);
  });

  it('quotes a bounded sample of the sets a detector names, within the finding schema, whatever the values', () => {
    const quoting = defineDetector<CommonSettings>({
      id: 'test/quoting',
      name: 'quoting',
      description: 'quotes users',
      category: 'recon',
      keyType: 'ip',
      labels: { behavior: 'test' },
      remediation: 'alert-only',
      observed: ['users', 'absent'],
      defaults: { enabled: true, window_seconds: 60, suppress_seconds: 0, severity: 'low' },
      settingsSchema: {},
      keyOf: (r) => r.source.ip,
      observe: (r) => ({ distinct: { users: r.sip.to?.user ?? '', hidden: 'x' } }),
      evaluate: (w) => (w.distinct.users >= 30 ? { counts: { users: w.distinct.users }, reason: 'many' } : undefined),
    }) as unknown as DetectorDefinition<CommonSettings>;
    const e = new DetectorEngine([{ detector: quoting, settings: quoting.defaults }]);
    const hostile = (i: number) => (i === 0 ? `\u001b[31m${'x'.repeat(300)}` : `${i}`);
    const findings = Array.from({ length: 30 }, (_, i) => ({ ...flood('203.0.113.9', 1, t0 + i)[0], sip: { call_id: `c${i}`, method: 'REGISTER', status: 404, to: { user: hostile(i) } } })).flatMap((r) => e.process(r));
    expect(findings).toHaveLength(1);
    const observed = findings[0].evidence.observed!;
    // only the sets the detector names, and only those it holds
    expect(Object.keys(observed)).toEqual(['users']);
    expect(observed.users).toHaveLength(20);
    expect(observed.users[0]).toHaveLength(128);
    expect(observed.users[0].endsWith('…')).toBe(true);
    expect(observed.users.slice(1)).toEqual(Array.from({ length: 19 }, (_, i) => `${i + 1}`));
    expect(validateFinding(findings[0]) || validateFinding.lastError()).toBe(true);
  });

  it('catches a slow brute force on a long horizon that its own window misses, as a finding of its own', () => {
    const slow = activeDetectors({ 'sip/digest-bruteforce': { horizons: [{ name: 'slow', window_seconds: 21_600, suppress_seconds: 21_600, min_failures: 60, severity: 'critical' }] } });
    const e = new DetectorEngine(slow);
    // 3 wrong passwords a minute for 2 h: never 20 in the 60 s window
    const findings = Array.from({ length: 360 }, (_, i) => ({
      ...flood('203.0.113.77', 1, t0 + i * 20_000)[0],
      event: { id: `bf-${i}`, kind: 'event' as const, dataset: 'sip.flow' as const },
      sip: { call_id: `bf-${i}`, method: 'REGISTER', status: 403, auth_user: '1001', source_proven: true },
    })).flatMap((r) => e.process(r));
    const mine = findings.filter((f) => f.key.value === '203.0.113.77');
    expect(mine.map((f) => [f.rule.id, f.window.horizon, f.window.seconds, f.severity])).toEqual([['sip/digest-bruteforce', 'slow', 21_600, 'critical']]);
    // the 60th failure, 59 × 20 s after the first
    expect(mine[0]['@timestamp']).toBe(new Date(t0 + 59 * 20_000).toISOString());
  });

  it('exports its state and an engine that imports it goes on exactly as the first would have', () => {
    const withHorizons = activeDetectors({
      'sip/request-flood': { horizons: [{ name: 'day', window_seconds: 86_400, suppress_seconds: 86_400, thresholds: { INVITE: 400 } }] },
      // more severe than the detector's own window, so it speaks although that window has just found the source
      'sip/extension-enumeration': { horizons: [{ name: 'slow', window_seconds: 3_600, min_unknown_users: 150, severity: 'critical' }] },
    });
    const records = [
      ...generate({ ...demoScenario(t0, 120) }, 0, 120),
      // a wordlist big enough to turn its set into a sketch
      ...Array.from({ length: 400 }, (_, i) => ({
        ...flood('198.51.100.9', 1, t0 + 60_000 + i * 100)[0],
        event: { id: `enum-${i}`, kind: 'event' as const, dataset: 'sip.flow' as const },
        sip: { call_id: `enum-${i}`, method: 'REGISTER', status: 404, to: { user: `u${i}` } },
      })),
    ].sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']));
    const reference = new DetectorEngine(withHorizons);
    const expected = records.flatMap((r) => reference.process(r));
    const half = records.length >> 1;
    const first = new DetectorEngine(withHorizons);
    const before = records.slice(0, half).flatMap((r) => first.process(r));
    const second = new DetectorEngine(withHorizons);
    second.importState(JSON.parse(JSON.stringify(first.exportState())));
    const after = records.slice(half).flatMap((r) => second.process(r));
    expect([...before, ...after]).toEqual(expected);
    expect(expected.some((f) => f.window.horizon === 'slow')).toBe(true);
    expect(second.statistics()).toEqual(reference.statistics());
  });

  it('refuses the state of another configuration and is left empty', () => {
    const a = new DetectorEngine(activeDetectors());
    flood('203.0.113.1', 50, t0).forEach((r) => a.process(r));
    const b = new DetectorEngine(activeDetectors({ 'sip/request-flood': { window_seconds: 30 } }));
    expect(() => b.importState(a.exportState())).toThrow(/sip\/request-flood/);
    expect(b.statistics().liveKeys).toBe(0);
    const c = new DetectorEngine(activeDetectors({ 'sip/request-flood': { enabled: false } }));
    expect(() => c.importState(a.exportState())).toThrow(/detector horizons/);
  });

  it('lets a graver verdict of an escalating detector through the suppression of a milder one, not a repeat', () => {
    // low on every record; critical (and proven by its own count, softened never) from the third on
    const grading = defineDetector<CommonSettings>({
      id: 'test/grading',
      name: 'grading',
      description: 'a low flag, then a breach',
      category: 'credential',
      keyType: 'ip',
      labels: { behavior: 'test' },
      remediation: 'block-source',
      escalates: true,
      defaults: { enabled: true, window_seconds: 60, suppress_seconds: 600, severity: 'critical' },
      settingsSchema: {},
      keyOf: (r) => r.source.ip,
      observe: (r) => ({ count: { seen: 1, proven: r.sip.source_proven ? 1 : 0 } }),
      evaluate: (w) =>
        (w.counts.seen ?? 0) >= 3
          ? { counts: { seen: w.counts.seen }, reason: 'breach', proven: (w.counts.proven ?? 0) > 0 }
          : { counts: { seen: w.counts.seen ?? 0 }, reason: 'flag', severity: 'low', remediation: 'alert-only' },
    }) as unknown as DetectorDefinition<CommonSettings>;
    const e = new DetectorEngine([{ detector: grading, settings: grading.defaults }]);
    const records = flood('203.0.113.5', 6, t0);
    records[4].sip.source_proven = true;
    const findings = records.flatMap((r) => e.process(r));
    // the breach unproven (a forger can write it), then proven: the proof passes the suppression too
    expect(findings.map((f) => [f.severity, f.remediation, f.source_proven])).toEqual([
      ['low', 'alert-only', false],
      ['critical', 'block-source', false],
      ['critical', 'block-source', true],
    ]);
    // a snapshot keeps what suppressed the key: the imported engine does not repeat the breach
    const copy = new DetectorEngine([{ detector: grading, settings: grading.defaults }]);
    copy.importState(JSON.parse(JSON.stringify(e.exportState())));
    expect(flood('203.0.113.5', 1, t0 + 100).flatMap((r) => copy.process(r))).toEqual([]);
  });
});
