// Checkpointed detector state on the in-process bus: a new owner of a partition loads the
// snapshot the old one wrote and re-reads only what came after it; a snapshot it cannot use
// (corrupt, another format version, another configuration) makes it rebuild by re-reading.
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { encode } from '../core/codec';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger, type Logger, type Subscription } from '../core/ports';
import type { Finding } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { generate, type Scenario } from '../collector/synthetic';
import { THREE_FLOODS } from './test-scenario';
import { detectStage, type SnapshotPolicy } from './detect-stage';
import { activeDetectors } from './registry';
import { SNAPSHOT_FORMAT } from './state-snapshot';

const scenario = THREE_FLOODS;

// a slow horizon on top of each flood detector's own window: state that only a snapshot (or a
// long re-read) can carry over; critical, so that it speaks although the own window has just found
// the same source (a horizon does not repeat another at the same severity)
const detectors = () =>
  activeDetectors({
    'sip/request-flood': { horizons: [{ name: 'slow', window_seconds: 86_400, suppress_seconds: 86_400, severity: 'critical', thresholds: { INVITE: 300, REGISTER: 200, OPTIONS: 1000, other: 1000 } }] },
  });

interface RunOptions {
  scenario?: Scenario;
  snapshots?: Partial<SnapshotPolicy>;
  /** stop the owner of this key after this many records, and tamper with the state topic first */
  failover?: { key: string; afterRecords: number; tamper?: (value: Buffer) => Buffer; detectorsOfNewOwner?: ReturnType<typeof activeDetectors> };
}

async function run(o: RunOptions = {}) {
  const bus = new MemoryBus({ defaultPartitions: 4, maxBatch: 50 });
  const topics = new Topics();
  const metrics = new PromMetricsRegistry();
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (_o, msg) => void warnings.push(msg), child: () => log };
  await bus.ensureTopics([{ name: topics.name('state.detect-source.v1'), cleanup: 'compact' }]);
  const seenKeys = [new Set<string | null>(), new Set<string | null>(), new Set<string | null>()];
  const member = (n: number, active = detectors()) => {
    const stage = detectStage({ topics, detectors: active, metrics, snapshots: { everySeconds: 0, ...o.snapshots } });
    const process = stage.process.bind(stage);
    stage.process = (batch, ctx) => {
      for (const m of batch.messages) seenKeys[n].add(m.key);
      return process(batch, ctx);
    };
    return runStage(bus, stage, { log, metrics });
  };
  const members: Array<Subscription | undefined> = [await member(0), await member(1)];
  const producer = await bus.producer();
  const records = generate(o.scenario ?? scenario);
  let failedOver = false;
  for (let i = 0; i < records.length; i += 10) {
    const slice = records.slice(i, i + 10);
    await producer.send(topics.name('flows.sip.v1'), slice.map((r) => encode(r.source.ip, r, Date.parse(r['@timestamp']))));
    const f = o.failover;
    if (f && !failedOver && i + 10 >= f.afterRecords) {
      failedOver = true;
      await bus.drained();
      const owner = seenKeys.findIndex((keys) => keys.has(f.key));
      if (f.tamper) {
        // rewrite every snapshot on the state topic as the tamper says
        const reader = await bus.stateReader(topics.name('state.detect-source.v1'));
        for (let p = 0; p < 4; p++) {
          const key = `${topics.group('detect-source')}/${p}`;
          const m = await reader.latest(key);
          if (m) await producer.send(topics.name('state.detect-source.v1'), [{ key, value: f.tamper(m.value) }]);
        }
      }
      await members[owner]!.stop();
      members[owner] = undefined;
      // a member that joins now takes the partitions over (with another configuration, if asked)
      members.push(await member(2, f.detectorsOfNewOwner));
    }
  }
  await bus.drained();
  const findings = bus.read(topics.name('findings.v1')).map((m) => JSON.parse(m.value.toString()) as Finding);
  const retained = bus.read(topics.name('flows.sip.v1')).length;
  await bus.close();
  const counts = async (name: string) => {
    const m = metrics.counter(name, '');
    return { get: (labels: Record<string, string>) => m.get(labels) };
  };
  const restoresMetric = await counts('callsentry_detector_restores_total');
  const byOutcome = new Map<string, number>();
  for (const outcome of ['snapshot', 'fresh', 'fallback']) {
    for (const reason of ['', 'missing', 'corrupt', 'version', 'oversized', 'incompatible', 'unreadable']) byOutcome.set(`${outcome}/${reason}`, await restoresMetric.get({ input: 'source', outcome, reason }));
  }
  const restores = (outcome: string, reason = '') => byOutcome.get(`${outcome}/${reason}`) ?? 0;
  const written = await (await counts('callsentry_detector_snapshots_total')).get({ input: 'source', outcome: 'written' });
  return { findings, warnings, restores, written, retained, records: records.length };
}

const distinct = (fs: Finding[]) => [...new Map(fs.map((f) => [f.event.id, `${f.rule.id}${f.window.horizon ? '@' + f.window.horizon : ''} ${f.key.value} ${f['@timestamp']}`])).values()].sort();

// stop the owner of the REGISTER flooder after its 60th REGISTER: its window holds 60 of the 100
// needed, so a new owner that started empty would find nothing within this flood
const records = generate(scenario);
let registers = 0;
const midFlood = records.findIndex((r) => r.source.ip === '203.0.113.11' && ++registers === 60) + 1;

describe('detector state snapshots', () => {
  let baseline: string[];
  beforeAll(async () => {
    baseline = distinct((await run({ snapshots: { everyRecords: 20 } })).findings);
  });

  it('finds each flood, on its own window and on the slow horizon', () => {
    expect(baseline.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'sip/campaign 203.0.113.11',
      'sip/invite-scan 203.0.113.10',
      'sip/request-flood 203.0.113.10',
      'sip/request-flood 203.0.113.11',
      'sip/request-flood 203.0.113.12',
      'sip/request-flood@slow 203.0.113.10',
    ]);
  });

  it('gives the new owner the old owner\'s state from the snapshot: same findings, same ids', async () => {
    const r = await run({ snapshots: { everyRecords: 20 }, failover: { key: '203.0.113.11', afterRecords: midFlood } });
    expect(distinct(r.findings)).toEqual(baseline);
    expect(r.written).toBeGreaterThan(4);
    expect(r.restores('snapshot')).toBeGreaterThanOrEqual(1);
    expect(r.restores('fallback', 'missing')).toBe(0);
    expect(r.warnings).toEqual([]);
  });

  it('commits right behind processing, so the in-process bus keeps no window of records', async () => {
    const long: Scenario = { ...scenario, seconds: 600, attackers: [{ ip: '203.0.113.12', method: 'OPTIONS', ratePerSecond: 20, startSecond: 0, durationSeconds: 600 }] };
    const r = await run({ scenario: long, snapshots: { everyRecords: 20 } });
    // the 24 h horizon would have kept every record under commits that trail by the window; the
    // bus drops what every group committed in steps of 1,024 records a partition
    expect(r.records).toBeGreaterThan(12_000);
    expect(r.retained).toBeLessThan(4 * (1024 + 100));
  });

  it.each([
    ['corrupt', (v: Buffer) => Buffer.from(v.map((b, i) => (i === v.length - 5 ? b ^ 0xff : b)))],
    ['torn', (v: Buffer) => v.subarray(0, v.length >> 1)],
    ['version', (v: Buffer) => Buffer.concat([v.subarray(0, 4), Buffer.from([0, SNAPSHOT_FORMAT - 1]), v.subarray(6)])],
    ['garbage', () => Buffer.from('{"not":"a snapshot"}')],
  ])('falls back to re-reading the window on a %s snapshot, warns, and keeps running', async (kind, tamper) => {
    const r = await run({ snapshots: { everyRecords: 20 }, failover: { key: '203.0.113.11', afterRecords: midFlood, tamper } });
    const reason = kind === 'version' ? 'version' : 'corrupt';
    expect(r.restores('fallback', reason)).toBeGreaterThanOrEqual(1);
    expect(r.warnings).toContain('detector state not restored from a snapshot; rebuilding it by re-reading the window');
    // the records are still on the bus here (under its trim threshold): the rebuild is exact
    expect(distinct(r.findings)).toEqual(baseline);
  });

  it('refuses a snapshot of another configuration and rebuilds instead', async () => {
    const other = activeDetectors({ 'sip/request-flood': { window_seconds: 20 } });
    const r = await run({ snapshots: { everyRecords: 20 }, failover: { key: '203.0.113.11', afterRecords: midFlood, detectorsOfNewOwner: other } });
    expect(r.restores('fallback', 'incompatible')).toBeGreaterThanOrEqual(1);
    expect(r.findings.some((f) => f.key.value === '203.0.113.11')).toBe(true);
  });

  it('without any snapshot yet, rebuilds by re-reading and still loses nothing', async () => {
    const r = await run({ snapshots: { everyRecords: 1_000_000 }, failover: { key: '203.0.113.11', afterRecords: midFlood } });
    expect(r.written).toBe(0);
    expect(distinct(r.findings)).toEqual(baseline);
  });
});
