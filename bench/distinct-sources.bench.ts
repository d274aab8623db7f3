// Memory of the full detector suite under a flood of one million distinct (spoofed) source
// addresses, one record each, with three real flooders mixed in: heap after the run, live keys, and
// whether the real flooders were still found. Run with --expose-gc (bench/run.sh does).
import type { SipFlow } from '../services/core/records';
import { DetectorEngine } from '../services/detectors/engine';
import { activeDetectors } from '../services/detectors/registry';
import { report } from './report';

const SOURCES = 1_000_000;
const FLOODERS = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];

function record(i: number, ip: string, t: number): SipFlow {
  return {
    '@timestamp': new Date(t).toISOString(),
    event: { id: `r${i}`, kind: 'event', dataset: 'sip.flow' },
    source: { ip, port: 5060 },
    destination: { ip: '192.0.2.10', port: 5060 },
    network: { transport: 'udp' },
    sip: { call_id: `c${i}`, method: 'INVITE', status: 407, source_proven: false },
  };
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

function main(): void {
  const before = heapMb();
  const engine = new DetectorEngine(activeDetectors());
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const found = new Set<string>();
  const started = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < SOURCES; i++) {
    // 100,000 spoofed sources a second of event time; each flooder sends one record per 500 spoofed
    const t = t0 + Math.floor(i / 100);
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (const f of engine.process(record(n++, ip, t))) found.add(`${f.rule.id} ${f.key.value}`);
    if (i % 500 === 0) for (const fl of FLOODERS) for (const f of engine.process(record(n++, fl, t))) found.add(`${f.rule.id} ${f.key.value}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = engine.statistics();
  report('1M distinct sources', {
    records: n,
    seconds,
    records_per_s: Math.round(n / seconds),
    live_keys: stats.liveKeys,
    evicted_keys: stats.evictedKeys,
    heap_growth_mb: Math.round(heapMb() - before),
    flooders_found: FLOODERS.filter((ip) => found.has(`sip/request-flood ${ip}`)).length,
  });
}

main();
