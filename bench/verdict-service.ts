// The verdict service under benchmark, in a process of its own as `callsentry verdict` runs: the
// realistic state of issue 17 (100,000 accounts with a class of service and a few calls each, 10,000
// blocked addresses, a rate deck of 10,000 prefixes), then the HTTP and SIP interfaces on free
// loopback ports. Started by bench/verdicts.bench.ts with fork() and the Node flags `callsentry
// verdict` runs with (services/verdicts/node-flags.ts); it reports over the IPC channel: {http, sip,
// judge} once listening, then answers {ask: 'inside'} with its collections and busy loop since the
// last ask, and {ask: 'own', iface} with its own time per verdict.
import { constants as gcKind, performance, PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../services/core/config';
import { silentLogger } from '../services/core/ports';
import type { Decision, SipFlow } from '../services/core/records';
import { MemoryBus } from '../services/adapters/memory-bus/memory-bus';
import { createRuntime } from '../services/runtime/runtime';
import { callContext, judge } from '../services/verdicts/judge';
import { RateDeck } from '../services/verdicts/rate-deck';
import { startVerdictService } from '../services/verdicts/service';
import { VerdictState } from '../services/verdicts/state';

export const ACCOUNTS = 100_000;
export const BLOCKS = 10_000;
const PREFIXES = 10_000;

export type ServiceAsk = { ask: 'inside' } | { ask: 'own'; iface: 'http' | 'sip' };
/** The service's figures from inside since the last ask: loop busy (percent of the time), collections. */
export interface Inside {
  loop_busy_pct: number;
  full_gcs: number;
  full_gc_max_ms: number;
  young_gcs: number;
  young_gc_max_ms: number;
}
export interface ServiceReady {
  http: string;
  sip: number;
  judge: Record<string, number>;
}

export function benchDeck(): RateDeck {
  const d = RateDeck.empty();
  // country codes and longer prefixes down to 6 digits, as carriers' decks are
  for (let i = 0; d.size < PREFIXES; i++) d.set(String(1 + ((i * 7919) % 999_999)).slice(0, 2 + (i % 5)), 0.005 + (i % 300) / 100);
  d.set('44', 0.02);
  return d;
}

/** A blocked address of the bench (the load asks about these one time in twenty). */
export function blockedAddress(i: number): string {
  return `10.${(i >> 8) & 255}.${i & 255}.7`;
}

export function realisticState(cfg: typeof DEFAULT_CONFIG, rates: RateDeck, now: number): VerdictState {
  const state = new VerdictState(cfg.verdicts, rates);
  const decisions = state.partition('decisions.v1', 0);
  for (let i = 0; i < BLOCKS; i++) {
    state.applyDecision(decisions, { '@timestamp': new Date(now).toISOString(), id: `d${i}`, action: 'block', target: { type: 'ip', value: blockedAddress(i) }, scope: 'firewall', ttl_seconds: 86_400, reason: 'bench', finding_ids: [`f${i}`], mode: 'enforce' } as Decision);
  }
  // three calls per account over the last day, spread over 8 partitions; tenants of 200 accounts
  for (let i = 0; i < ACCOUNTS; i++) {
    const st = state.partition('flows.sip.by-account.v1', i % 8);
    for (let c = 0; c < 3; c++) {
      const at = now - (c + 1) * 3_600_000 * (1 + (i % 20));
      const flow = { '@timestamp': new Date(at).toISOString(), event: { id: `e${i}-${c}`, kind: 'event', dataset: 'sip.flow' }, source: { ip: '192.0.2.1' }, destination: { ip: '192.0.2.2' }, network: { transport: 'udp' }, organization: { id: `t${i % 500}` }, sip: { call_id: `c${i}-${c}`, method: 'INVITE', status: 200, account: `a${i}`, to: { user: c === 0 ? '+442079460000' : '2125550100' } } } as SipFlow;
      state.applyFlow(st, flow);
      // one account in 50 is on a call now
      if (c > 0 || i % 50 !== 0) state.applyFlow(st, { ...flow, '@timestamp': new Date(at + 120_000).toISOString(), sip: { ...flow.sip, method: 'BYE', status: 200 } });
    }
  }
  return state;
}

/** The rules alone, without the network: what one verdict costs in CPU. */
function judgeCost(cfg: typeof DEFAULT_CONFIG, state: VerdictState, rates: RateDeck, now: number): Record<string, number> {
  const queries = Array.from({ length: 100_000 }, (_, n) => ({ source_ip: n % 20 === 0 ? blockedAddress(n) : '192.0.2.77', account: `a${(n * 7919) % ACCOUNTS}`, from: 'sip:x@pbx', to: `+44207946${String(n % 10000).padStart(4, '0')}`, call_id: `j${n}` }));
  for (const q of queries.slice(0, 10_000)) judge(callContext(q, cfg.verdicts, rates, now), state, cfg.verdicts);
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let denied = 0;
  for (const q of queries) if (judge(callContext(q, cfg.verdicts, rates, now), state, cfg.verdicts).verdict === 'deny') denied++;
  const sec = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSec = (used.user + used.system) / 1e6;
  // CPU time is what one verdict costs; wall time says how busy the shared machine was
  return { verdicts: queries.length, denied, cpu_us_per_verdict: (cpuSec * 1e6) / queries.length, wall_us_per_verdict: (sec * 1e6) / queries.length, verdicts_per_cpu_s: Math.round(queries.length / cpuSec) };
}

/**
 * Since the last take: garbage collections (a full collection of a heap this size holds every
 * answer for its length) and how busy the event loop was (its share of the time in JavaScript and
 * its own I/O work: what is left is the headroom).
 */
function pauses(): { take(): Inside } {
  let loop = performance.eventLoopUtilization();
  let major = { n: 0, max: 0 };
  let minor = { n: 0, max: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const m = kind === gcKind.NODE_PERFORMANCE_GC_MAJOR ? major : minor;
      m.n++;
      m.max = Math.max(m.max, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    take() {
      const busy = performance.eventLoopUtilization(loop);
      loop = performance.eventLoopUtilization();
      const out = { loop_busy_pct: Math.round(busy.utilization * 1000) / 10, full_gcs: major.n, full_gc_max_ms: Math.round(major.max * 10) / 10, young_gcs: minor.n, young_gc_max_ms: Math.round(minor.max * 10) / 10 };
      major = { n: 0, max: 0 };
      minor = { n: 0, max: 0 };
      return out;
    },
  };
}

async function main(): Promise<void> {
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.metrics.listen = null;
  const accounts: Record<string, { class: string; tenant: string }> = {};
  for (let i = 0; i < ACCOUNTS; i++) accounts[`a${i}`] = { class: i % 10 === 0 ? 'local' : 'standard', tenant: `t${i % 500}` };
  cfg.verdicts = { ...cfg.verdicts, http_listen: '127.0.0.1:0', sip_listen: '127.0.0.1:0', accounts, home_country: 'US' };
  const rates = benchDeck();
  const now = Date.now();
  const state = realisticState(cfg, rates, now);
  const judged = judgeCost(cfg, state, rates, now);
  const rt = createRuntime(cfg, { bus: new MemoryBus(), log: silentLogger });
  const svc = await startVerdictService(rt, { env: {}, state, deck: rates, consume: false });
  const gc = pauses();

  // the service's own time per verdict, from its histogram (bucket bounds: an upper estimate)
  const own = async (iface: string) => {
    const text = await rt.metrics.render();
    const lines = text.split('\n').filter((l) => l.startsWith('callsentry_verdict_seconds_bucket') && l.includes(`interface="${iface}"`));
    const buckets = lines.map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)![1]), n: Number(l.split(' ').pop()) }));
    const total = buckets[buckets.length - 1]?.n ?? 0;
    const p99 = buckets.find((b) => b.n >= total * 0.99)?.le;
    return { own_verdicts: total, own_p99_ms_at_most: p99 === undefined ? 'n/a' : p99 * 1000 };
  };
  process.on('message', (m: ServiceAsk) => {
    if (m.ask === 'inside') process.send!(gc.take());
    else void own(m.iface).then((figures) => process.send!(figures));
  });
  const stop = () => void svc.stop().then(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.send!({ http: svc.http!.url, sip: svc.sip!.port, judge: judged } satisfies ServiceReady);
}

if (require.main === module) void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
