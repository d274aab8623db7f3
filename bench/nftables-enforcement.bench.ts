// The edge firewall under load, for real: nftables in a network namespace of its own.
// 1. decisions/s applied to the nftables sets, by batch size (one `nft -f` transaction per batch);
// 2. detection-to-drop latency: from the moment the record that crosses the flood threshold enters
//    the collector edge to the moment its block element is committed in the kernel's set (the
//    enforcer's `nft -f` returned), through collector -> bus -> detect -> decide -> enforce on the
//    in-process bus. Median and p99 over many attackers. Needs root and nft (bench/run.sh as root).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MemoryBus } from '../services/adapters/memory-bus/memory-bus';
import { NftablesActuator } from '../services/adapters/nftables/nftables-actuator';
import { Ingest } from '../services/collector/ingest';
import { generate } from '../services/collector/synthetic';
import { systemClock } from '../services/core/clock';
import { DEFAULT_CONFIG } from '../services/core/config';
import { silentLogger, type Actuator } from '../services/core/ports';
import type { Decision } from '../services/core/records';
import { runStage } from '../services/core/stage';
import { detectStage } from '../services/detectors/detect-stage';
import { activeDetectors } from '../services/detectors/registry';
import { decideStage } from '../services/enforcer/decide-stage';
import { enforceStage } from '../services/enforcer/enforce-stage';
import { Enforcer } from '../services/enforcer/enforcer';
import { createRuntime, ensureTopics } from '../services/runtime/runtime';
import { report } from './report';

const ATTACKERS = 60;

function decision(i: number, ttl = 600): Decision {
  const id = `bench-${i}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return { '@timestamp': new Date().toISOString(), event: { id, kind: 'event', dataset: 'callsentry.decision' }, id, action: 'block', target: { type: 'ip', value: ip }, scope: 'firewall', ttl_seconds: ttl, reason: 'bench', finding_ids: [], origin: { type: 'detector', id: 'bench' }, mode: 'enforce' };
}

async function batches(netns: string): Promise<void> {
  for (const [size, total] of [[1, 300], [10, 2000], [100, 10_000], [1000, 20_000]] as const) {
    const table = `csbench${size}`;
    const nft = new NftablesActuator({ log: silentLogger, clock: systemClock, ruleset: { table }, runner: { netns }, flushConntrack: false });
    await nft.init();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < total; i += size) {
      const results = await nft.apply(Array.from({ length: Math.min(size, total - i) }, (_, k) => decision(i + k)));
      if (results.some((r) => !r.ok)) throw new Error(`nft refused a batch: ${results.find((r) => !r.ok)?.detail}`);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const live = (await nft.list()).length;
    if (live !== total) throw new Error(`expected ${total} elements in the set, found ${live}`);
    report('nftables apply', { batch: size, decisions: total, seconds, decisions_per_s: Math.round(total / seconds), elements_in_set: live });
  }
}

async function latency(netns: string): Promise<void> {
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.decisions.mode = 'enforce';
  const bus = new MemoryBus();
  const rt = createRuntime(cfg, { bus, log: silentLogger });
  await ensureTopics(rt);
  const nft = new NftablesActuator({ log: silentLogger, clock: systemClock, ruleset: { table: 'csbenchlat' }, runner: { netns } });
  // when the enforcer's nft transaction for a decision returned, the element is in the kernel's set
  const committed = new Map<string, number>();
  const timed: Actuator = {
    name: nft.name,
    scopes: nft.scopes,
    init: () => nft.init(),
    apply: async (ds) => {
      const r = await nft.apply(ds);
      const t = performance.now();
      for (const x of r) if (x.ok) committed.set(ds.find((d) => d.id === x.decisionId)!.target.value, t);
      return r;
    },
    remove: (ds) => nft.remove(ds),
    list: () => nft.list(),
    shutdown: () => nft.shutdown(),
  };
  const enforcer = new Enforcer({ actuators: [timed], guardrails: { allowlist: [], ...cfg.enforcer.guardrails, max_new_blocks_per_minute: 10_000 }, clock: systemClock, log: silentLogger, metrics: rt.metrics });
  await enforcer.start();
  const subs = [
    await runStage(bus, detectStage({ topics: rt.topics, detectors: activeDetectors(), metrics: rt.metrics }), rt),
    await runStage(bus, decideStage({ topics: rt.topics, policy: cfg.decisions }), rt),
    await runStage(bus, enforceStage({ topics: rt.topics, enforcer, log: silentLogger }), rt),
  ];
  const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'bench' });
  const latencies: number[] = [];
  for (let a = 0; a < ATTACKERS; a++) {
    const ip = `198.18.${a >> 8}.${(a & 255) + 1}`;
    // 100 INVITEs in one second of event time: the 100th crosses the default threshold (100 in 10 s)
    const flood = generate({ startMs: Date.now(), seconds: 1, phones: 0, callsPerMinute: 0, seed: a + 1, attackers: [{ ip, method: 'INVITE', ratePerSecond: 100, startSecond: 0, durationSeconds: 1, userAgent: 'friendly-dialer' }] });
    for (const r of flood.slice(0, -1)) await ingest.record(r);
    await ingest.flush();
    await bus.drained();
    if (committed.has(ip)) throw new Error(`${ip} was blocked before its threshold record`);
    const t0 = performance.now();
    await ingest.record(flood[flood.length - 1]);
    await ingest.flush();
    await bus.drained();
    const t1 = committed.get(ip);
    if (t1 === undefined) throw new Error(`${ip} was not blocked after its threshold record`);
    latencies.push(t1 - t0);
  }
  const inSet = new Set((await nft.list()).map((e) => e.target.value));
  const missing = [...committed.keys()].filter((ip) => !inSet.has(ip));
  if (missing.length > 0) throw new Error(`not in the set: ${missing.join(', ')}`);
  for (const s of subs) await s.stop();
  await bus.close();
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
  report('threshold record to nft set', { attackers: latencies.length, median_ms: q(0.5), p99_ms: q(0.99), max_ms: latencies[latencies.length - 1], bus: 'memory' });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || spawnSync('nft', ['--version']).status !== 0) {
    process.stdout.write('nftables enforcement: skipped (needs root and nft: run bench/run.sh as root after npm run test:all set-up)\n');
    return;
  }
  const netns = `cs-bench-${randomBytes(3).toString('hex')}`;
  if (spawnSync('ip', ['netns', 'add', netns]).status !== 0) throw new Error(`cannot create network namespace ${netns}`);
  try {
    await batches(netns);
    await latency(netns);
  } finally {
    spawnSync('ip', ['netns', 'del', netns]);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
