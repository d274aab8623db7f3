import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { encode } from '../core/codec';
import { MetricsRegistry } from '../core/metrics';
import { silentLogger, type Subscription } from '../core/ports';
import type { Finding } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { generate, type Scenario } from '../collector/synthetic';
import { detectStage } from './detect-stage';
import { activeDetectors } from './registry';

const scenario: Scenario = {
  startMs: Date.parse('2026-01-01T00:00:00Z'),
  seconds: 120,
  phones: 30,
  callsPerMinute: 3,
  seed: 3,
  attackers: [
    { ip: '203.0.113.10', method: 'INVITE', ratePerSecond: 40, startSecond: 20, durationSeconds: 10 },
    { ip: '203.0.113.11', method: 'REGISTER', ratePerSecond: 30, startSecond: 50, durationSeconds: 4 },
    { ip: '203.0.113.12', method: 'OPTIONS', ratePerSecond: 25, startSecond: 80, durationSeconds: 30 },
  ],
};

/** Runs the scenario through two members; optionally stops, mid-flood, the member that owns `victimKey`. */
async function run(stopOwnerOf?: { key: string; afterRecords: number }): Promise<Finding[]> {
  const bus = new MemoryBus({ defaultPartitions: 4, maxBatch: 50 });
  const topics = new Topics();
  const deps = { log: silentLogger, metrics: new MetricsRegistry() };
  const seenKeys = [new Set<string | null>(), new Set<string | null>()];
  const member = (n: number) => {
    const stage = detectStage({ topics, detectors: activeDetectors(), metrics: deps.metrics });
    const process = stage.process.bind(stage);
    stage.process = (batch, ctx) => {
      for (const m of batch.messages) seenKeys[n].add(m.key);
      return process(batch, ctx);
    };
    return runStage(bus, stage, deps);
  };
  const members: Array<Subscription | undefined> = [await member(0), await member(1)];
  const producer = await bus.producer();
  const records = generate(scenario);
  for (let i = 0; i < records.length; i += 10) {
    const slice = records.slice(i, i + 10);
    await producer.send(topics.name('flows.sip.v1'), slice.map((r) => encode(r.source.ip, r, Date.parse(r['@timestamp']))));
    if (stopOwnerOf && i + 10 >= stopOwnerOf.afterRecords && members.every(Boolean)) {
      await bus.drained();
      const owner = seenKeys.findIndex((keys) => keys.has(stopOwnerOf.key));
      await members[owner]!.stop();
      members[owner] = undefined;
    }
  }
  await bus.drained();
  const findings = bus.read(topics.name('findings.v1')).map((m) => JSON.parse(m.value.toString()) as Finding);
  await bus.close();
  return findings;
}

const distinct = (fs: Finding[]) => [...new Map(fs.map((f) => [f.event.id, `${f.rule.id} ${f.key.value} ${f['@timestamp']}`])).values()].sort();

describe('detect stage in a consumer group', () => {
  it('finds each flood once, keyed by its source, and nothing for the phones', async () => {
    const findings = await run();
    expect(findings.map((f) => f.key.value).sort()).toEqual(['203.0.113.10', '203.0.113.11', '203.0.113.12']);
  });

  it('loses nothing when a member stops mid-stream: the new owner rebuilds the windows', async () => {
    const baseline = distinct(await run());
    // stop the owner of the REGISTER flooder after its 60th REGISTER: its window holds 60 of the
    // 100 needed, so a new owner that started empty would find nothing within this flood
    const records = generate(scenario);
    let registers = 0;
    const at = records.findIndex((r) => r.source.ip === '203.0.113.11' && ++registers === 60);
    const withFailover = await run({ key: '203.0.113.11', afterRecords: at + 1 });
    expect(distinct(withFailover)).toEqual(baseline);
  });
});
