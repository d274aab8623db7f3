import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { partitionFor } from '../adapters/memory-bus/partition';
import { Ingest } from '../collector/ingest';
import { DEFAULT_CONFIG } from '../core/config';
import { createRuntime } from '../runtime/runtime';
import { startDetect } from '../runtime/stages';
import { encode } from '../core/codec';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { silentLogger, type Subscription } from '../core/ports';
import type { Finding } from '../core/records';
import { runStage } from '../core/stage';
import { Topics } from '../core/topics';
import { generate } from '../collector/synthetic';
import { THREE_FLOODS } from './test-scenario';
import { detectStage } from './detect-stage';
import { activeDetectors } from './registry';

const scenario = THREE_FLOODS;

/** Runs the scenario through two members; optionally stops, mid-flood, the member that owns `victimKey`. */
async function run(stopOwnerOf?: { key: string; afterRecords: number }): Promise<Finding[]> {
  const bus = new MemoryBus({ defaultPartitions: 4, maxBatch: 50 });
  const topics = new Topics();
  const deps = { log: silentLogger, metrics: new PromMetricsRegistry() };
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
    // the INVITE flooder also dials hundreds of distinct numbers without ever answering a challenge
    expect(findings.map((f) => `${f.rule.id} ${f.key.value}`).sort()).toEqual([
      'sip/campaign 203.0.113.11',
      'sip/invite-scan 203.0.113.10',
      'sip/request-flood 203.0.113.10',
      'sip/request-flood 203.0.113.11',
      'sip/request-flood 203.0.113.12',
    ]);
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

describe('account-keyed detectors', () => {
  it('see every call of an account together, whichever source addresses it comes from', async () => {
    // two addresses on different partitions of flows.sip.v1
    const a = '192.0.2.40';
    const b = ['192.0.2.41', '192.0.2.42', '192.0.2.43', '192.0.2.44'].find((ip) => partitionFor(ip, 4) !== partitionFor(a, 4))!;
    const bus = new MemoryBus({ defaultPartitions: 4 });
    const rt = createRuntime(structuredClone(DEFAULT_CONFIG), { bus, log: silentLogger });
    const findings: Finding[] = [];
    const subs = await startDetect(rt, { onFinding: (f) => findings.push(f) });
    const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 't' });
    const t0 = Date.parse('2026-04-01T10:00:00Z');
    // 12 answered calls to distinct outside numbers in 60 s, alternating between the two addresses:
    // 6 per address stays under call-velocity's 10, the account's 12 does not
    for (let i = 0; i < 12; i++) {
      await ingest.record({
        '@timestamp': new Date(t0 + i * 4000).toISOString(),
        event: { id: `call-${i}`, kind: 'event', dataset: 'sip.flow' },
        source: { ip: i % 2 ? b : a, port: 5060 },
        destination: { ip: '192.0.2.10', port: 5060 },
        network: { transport: 'udp' },
        sip: { call_id: `call-${i}`, method: 'INVITE', status: 200, auth_user: 'acct-9', source_proven: true, to: { user: `0049301234${String(i).padStart(3, '0')}` }, request_uri: `sip:0049301234${String(i).padStart(3, '0')}@pbx.example` },
      });
    }
    await ingest.flush();
    await bus.drained();
    for (const s of subs) await s.stop();
    await bus.close();
    expect(findings.filter((f) => f.rule.id === 'fraud/call-velocity').map((f) => f.key)).toEqual([{ type: 'account', value: 'acct-9' }]);
  });
});

describe('relay detectors', () => {
  it('run on flows.media.v1 in a detect stage of their own', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4 });
    const rt = createRuntime(structuredClone(DEFAULT_CONFIG), { bus, log: silentLogger });
    const findings: Finding[] = [];
    const subs = await startDetect(rt, { onFinding: (f) => findings.push(f) });
    const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 't' });
    await ingest.record({
      '@timestamp': '2026-04-01T10:00:00.000Z',
      event: { id: 'alloc-1', kind: 'event', dataset: 'media.flow' },
      source: { ip: '203.0.113.90', port: 40000 },
      destination: { ip: '192.0.2.30', port: 3478 },
      network: { transport: 'udp' },
      media: { srtp: false, packets: 10, bytes: 1200, relay: { user: 'guest-7', realm: 'voip.example', peers: ['169.254.169.254'] } },
    });
    await ingest.flush();
    await bus.drained();
    for (const s of subs) await s.stop();
    await bus.close();
    expect(findings.map((f) => [f.rule.id, f.key, f.remediation])).toEqual([['relay/denied-peer', { type: 'ip', value: '169.254.169.254' }, 'deny-peer']]);
  });
});

describe('destination-keyed detectors', () => {
  it('count a flood spread over many sources once per destination, whatever the partitions of its sources', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4 });
    const rt = createRuntime(structuredClone(DEFAULT_CONFIG), { bus, log: silentLogger });
    const findings: Finding[] = [];
    const subs = await startDetect(rt, { onFinding: (f) => findings.push(f) });
    const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 't' });
    const t0 = Date.parse('2026-04-01T10:00:00Z');
    // 250 forged sources, 24 unproven INVITEs each within 6 s: 6,000 requests, each source far
    // under the per-source threshold, and spread over every partition of flows.sip.v1
    const sources = Array.from({ length: 250 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
    expect(new Set(sources.map((s) => partitionFor(s, 4))).size).toBe(4);
    for (let n = 0; n < 24; n++) {
      for (const [i, ip] of sources.entries()) {
        await ingest.record({
          '@timestamp': new Date(t0 + n * 250 + i).toISOString(),
          event: { id: `f-${n}-${i}`, kind: 'event', dataset: 'sip.flow' },
          source: { ip, port: 5060 },
          destination: { ip: '192.0.2.10', port: 5060 },
          network: { transport: 'udp' },
          sip: { call_id: `f-${n}-${i}`, method: 'INVITE', status: 407, to: { user: '100' } },
        });
      }
    }
    await ingest.flush();
    await bus.drained();
    for (const s of subs) await s.stop();
    await bus.close();
    // one finding for the destination (the default thresholds are global: 5,000 requests from 100 sources)
    const flood = findings.filter((f) => f.rule.id === 'sip/distributed-flood');
    expect(flood.map((f) => [f.key.value, f.counts.requests, f.remediation])).toEqual([['192.0.2.10', 5000, 'aggregate-limit']]);
    expect(flood[0].counts.sources).toBe(250);
  });
});
