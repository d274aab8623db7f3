// Pre-call verdicts under load, with the load from other processes: HTTP with wrk (paced to about
// 5,000 verdicts/s by its delay hook), SIP redirect with sipp at 5,000 INVITEs/s. Realistic state:
// 100,000 accounts with a class of service and a few calls each, 10,000 blocked addresses, a rate
// deck of 10,000 prefixes. Figures are the load generators' own latencies (p50, p99), plus the
// service's own time per verdict (callsentry_verdict_seconds). Targets (issue 17): p99 <= 2 ms
// HTTP, <= 1 ms SIP. Needs wrk and sipp (infra/apt-packages.txt).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants as gcKind, PerformanceObserver } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../services/core/config';
import { silentLogger } from '../services/core/ports';
import type { Decision, SipFlow } from '../services/core/records';
import { MemoryBus } from '../services/adapters/memory-bus/memory-bus';
import { createRuntime } from '../services/runtime/runtime';
import { RateDeck } from '../services/verdicts/rate-deck';
import { startVerdictService } from '../services/verdicts/service';
import { VerdictState } from '../services/verdicts/state';
import { report } from './report';
import { canCapture, WireCapture, type Latencies } from './wire-latency';

const ACCOUNTS = 100_000;
const BLOCKS = 10_000;
const PREFIXES = 10_000;
const RATE = 5_000;
const SECONDS = Number(process.env.CALLSENTRY_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.CALLSENTRY_BENCH_ROUNDS ?? 3);
const SIPP_INSTANCES = 5;
const ROOT = path.resolve(__dirname, '../..');

/** A load generator in a process of its own; the service answers in this one, so never spawnSync. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d.toString()));
    child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin]).status === 0;
}

function deck(): RateDeck {
  const d = RateDeck.empty();
  // country codes and longer prefixes down to 6 digits, as carriers' decks are
  for (let i = 0; d.size < PREFIXES; i++) d.set(String(1 + ((i * 7919) % 999_999)).slice(0, 2 + (i % 5)), 0.005 + (i % 300) / 100);
  d.set('44', 0.02);
  return d;
}

interface WrkFigures {
  rate: number;
  gen_p50_ms: number;
  gen_p99_ms: number;
  errors: string;
}

/**
 * 50 connections, each waiting a random 1-17 ms (9 on average) after its answer: about 5,000
 * requests/s arriving like independent callers. A fixed gap locks the connections into step, and
 * 45 requests land in the same millisecond every 9 ms, which no set of proxies does.
 */
function writeWrkScript(dir: string): string {
  const lua = path.join(dir, 'verdict.lua');
  writeFileSync(
    lua,
    `local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local a = (n * 7919) % ${ACCOUNTS}
  local ip = (n % 20 == 0) and string.format("10.%d.%d.7", math.floor((n % ${BLOCKS}) / 256) % 256, n % 256) or "192.0.2.77"
  local body = string.format('{"source_ip":"%s","account":"a%d","from":"sip:a%d@pbx","to":"+44207946%04d","call_id":"b%d"}', ip, a, a, n % 10000, n)
  return wrk.format(nil, "/v1/verdict", nil, body)
end
delay = function() return math.random(1, 17) end
`,
  );
  return lua;
}

async function wrk(lua: string, url: string, seconds: number, dir: string): Promise<WrkFigures> {
  const r = await run('wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-s', lua, url], dir, (seconds + 30) * 1000);
  const out = r.stdout ?? '';
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  };
  const errors = [/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[0], /Socket errors: [^\n]*/.exec(out)?.[0]].filter(Boolean).join('; ') || 'none';
  return { rate: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)), gen_p50_ms: ms('50%'), gen_p99_ms: ms('99%'), errors };
}

interface SippFigures {
  rate: number;
  answered: number;
  failed: number;
  gen_p50_ms: number;
  gen_p99_ms: number;
}

/**
 * SIPP_INSTANCES sipp processes share the rate: one sipp at 5,000 calls/s sends its calls in bursts
 * of about 30 every 6 ms (its scheduler loop), and the queue behind such a burst is sipp's, not the
 * service's. Several proxies asking at once is also what a verdict service sees.
 */
async function sipp(port: number, inf: string, seconds: number, dir: string): Promise<SippFigures> {
  const each = RATE / SIPP_INSTANCES;
  const started = Date.now();
  const runs = await Promise.all(
    Array.from({ length: SIPP_INSTANCES }, (_, i) => {
      const stats = path.join(dir, `sipp-${port}-${i}.csv`);
      const args = [`127.0.0.1:${port}`, '-sf', path.join(ROOT, 'bench/verdict-invite.xml'), '-inf', inf, '-i', '127.0.0.1', '-p', '0', '-r', String(each), '-m', String(each * seconds), '-l', '20000', '-nostdin', '-trace_rtt', '-rtt_freq', '1', '-timeout', `${seconds + 10}s`, '-trace_stat', '-fd', '1', '-stf', stats];
      return run('sipp', args, dir, (seconds + 40) * 1000).then((r) => ({ r, stats }));
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  let answered = 0;
  let failed = 0;
  for (const { r, stats } of runs) {
    if (r.status !== 0 && r.status !== 1) process.stderr.write(`sipp exited ${r.status}: ${r.stderr}\n`);
    const lines = readFileSync(stats, 'utf8').trim().split('\n');
    const head = lines[0].split(';');
    const last = lines[lines.length - 1].split(';');
    answered += Number(last[head.indexOf('SuccessfulCall(C)')]);
    failed += Number(last[head.indexOf('FailedCall(C)')]);
    rmSync(stats, { force: true });
  }
  // sipp's own response times (whole ms, read off its loop clock)
  const samples: number[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_rtt.csv'))) {
    for (const l of readFileSync(path.join(dir, f), 'utf8').split('\n').slice(1)) {
      const x = Number(l.split(';')[1]);
      if (l && Number.isFinite(x)) samples.push(x);
    }
    rmSync(path.join(dir, f), { force: true });
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))] ?? NaN;
  return { rate: Math.round(answered / Math.max(elapsed, seconds)), answered, failed, gen_p50_ms: q(0.5), gen_p99_ms: q(0.99) };
}

/** Rounds in one line: the median round's figures, and each round's p99. */
function summary(runs: Array<{ rate: number; gen_p50_ms: number; gen_p99_ms: number; wire?: Latencies; errors?: string; failed?: number }>): Record<string, number | string> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out: Record<string, number | string> = {
    rounds: runs.length,
    rate: median(runs.map((r) => r.rate)),
    gen_p50_ms: median(runs.map((r) => r.gen_p50_ms)),
    gen_p99_ms: median(runs.map((r) => r.gen_p99_ms)),
  };
  if (runs.every((r) => r.wire)) {
    out.wire_p50_ms = median(runs.map((r) => r.wire!.p50_ms));
    out.wire_p99_ms = median(runs.map((r) => r.wire!.p99_ms));
    out.wire_p99_each = runs.map((r) => r.wire!.p99_ms).join('/');
  }
  for (const extra of ['errors', 'failed'] as const) if (runs[0][extra] !== undefined) out[extra] = runs.map((r) => String(r[extra])).join('/');
  return out;
}

/** The service's garbage-collection pauses while the rounds ran: a full collection of a heap this size stops every answer for its length. */
function gcPauses(): { take(): Record<string, number> } {
  let major = { n: 0, max: 0 };
  let minor = { n: 0, max: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const m = kind === gcKind.NODE_PERFORMANCE_GC_MAJOR ? major : minor;
      m.n++;
      m.max = Math.max(m.max, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    take() {
      const out = { full_gcs: major.n, full_gc_max_ms: Math.round(major.max * 10) / 10, young_gcs: minor.n, young_gc_max_ms: Math.round(minor.max * 10) / 10 };
      major = { n: 0, max: 0 };
      minor = { n: 0, max: 0 };
      return out;
    },
  };
}

/** The floor (bench/verdict-floor.ts) in a process of its own. */
async function startFloor(): Promise<{ http: number; sip: number; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'verdict-floor.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ports = await new Promise<{ http: number; sip: number }>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(JSON.parse(d.toString())));
    child.once('exit', (code) => reject(new Error(`the floor server exited ${code}`)));
  });
  return { ...ports, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.metrics.listen = null;
  const accounts: Record<string, { class: string; tenant: string }> = {};
  for (let i = 0; i < ACCOUNTS; i++) accounts[`a${i}`] = { class: i % 10 === 0 ? 'local' : 'standard', tenant: `t${i % 500}` };
  cfg.verdicts = { ...cfg.verdicts, http_listen: '127.0.0.1:0', sip_listen: '127.0.0.1:0', accounts, home_country: 'US' };
  const rates = deck();
  const state = new VerdictState(cfg.verdicts, rates);
  const now = Date.now();
  const decisions = state.partition('decisions.v1', 0);
  for (let i = 0; i < BLOCKS; i++) {
    const ip = `10.${(i >> 8) & 255}.${i & 255}.7`;
    state.applyDecision(decisions, { '@timestamp': new Date(now).toISOString(), id: `d${i}`, action: 'block', target: { type: 'ip', value: ip }, scope: 'firewall', ttl_seconds: 86_400, reason: 'bench', finding_ids: [`f${i}`], mode: 'enforce' } as Decision);
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
  const rt = createRuntime(cfg, { bus: new MemoryBus(), log: silentLogger });
  {
    // the rules alone, in this process: what one verdict costs in CPU, without the network
    const { callContext, judge } = await import('../services/verdicts/judge');
    const queries = Array.from({ length: 100_000 }, (_, n) => ({ source_ip: n % 20 === 0 ? `10.${(n >> 8) & 255}.${n & 255}.7` : '192.0.2.77', account: `a${(n * 7919) % ACCOUNTS}`, from: 'sip:x@pbx', to: `+44207946${String(n % 10000).padStart(4, '0')}`, call_id: `j${n}` }));
    for (const q of queries.slice(0, 10_000)) judge(callContext(q, cfg.verdicts, rates, now), state, cfg.verdicts);
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let denied = 0;
    for (const q of queries) if (judge(callContext(q, cfg.verdicts, rates, now), state, cfg.verdicts).verdict === 'deny') denied++;
    const sec = Number(process.hrtime.bigint() - t) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSec = (used.user + used.system) / 1e6;
    // CPU time is what one verdict costs; wall time says how busy the shared machine was
    report('verdict judge (1 core)', { verdicts: queries.length, denied, cpu_us_per_verdict: (cpuSec * 1e6) / queries.length, wall_us_per_verdict: (sec * 1e6) / queries.length, verdicts_per_cpu_s: Math.round(queries.length / cpuSec) });
  }
  const svc = await startVerdictService(rt, { env: {}, state, deck: rates, consume: false });
  const floor = await startFloor();
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-verdict-bench-'));
  const capture = canCapture();
  if (!capture) process.stderr.write('verdict bench: no wire latencies (they need root, tcpdump and tshark: bash infra/setup-test.sh installs them)\n');
  const own = async (iface: string) => {
    // the service's own time per verdict, from its histogram (bucket bounds: an upper estimate)
    const text = await rt.metrics.render();
    const lines = text.split('\n').filter((l) => l.startsWith('callsentry_verdict_seconds_bucket') && l.includes(`interface="${iface}"`));
    const buckets = lines.map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)![1]), n: Number(l.split(' ').pop()) }));
    const total = buckets[buckets.length - 1]?.n ?? 0;
    const p99 = buckets.find((b) => b.n >= total * 0.99)?.le;
    return { own_verdicts: total, own_p99_ms_at_most: p99 === undefined ? 'n/a' : p99 * 1000 };
  };
  const gc = gcPauses();
  const targets = { service: { http: svc.http!.url, sip: svc.sip!.port }, floor: { http: `http://127.0.0.1:${floor.http}`, sip: floor.sip } };
  type Who = keyof typeof targets;

  /** One measured run: the load, and the wire's view of it (read once every round has run) when a capture is possible. */
  async function measure<T extends object>(name: string, filter: string, load: () => Promise<T>): Promise<T & { wire?: Latencies; capture?: WireCapture }> {
    const cap = capture ? new WireCapture(dir, name, filter) : undefined;
    await cap?.ready();
    const figures = await load();
    await cap?.stop();
    return { ...figures, ...(cap ? { capture: cap } : {}) };
  }
  const readCaptures = (runs: Array<{ wire?: Latencies; capture?: WireCapture }>, kind: 'http' | 'sip') => {
    for (const r of runs) r.wire = r.capture?.read(kind);
  };

  if (has('wrk')) {
    const lua = writeWrkScript(dir);
    for (const who of ['service', 'floor'] as Who[]) await wrk(lua, targets[who].http, 5, dir); // warm-up: JIT, caches, connections
    const runs: Record<Who, Array<WrkFigures & { wire?: Latencies; capture?: WireCapture }>> = { service: [], floor: [] };
    gc.take();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const who of ['service', 'floor'] as Who[]) {
        const port = new URL(targets[who].http).port;
        runs[who].push(await measure(`http-${who}-${round}`, `tcp port ${port}`, () => wrk(lua, targets[who].http, SECONDS, dir)));
      }
    }
    const pauses = gc.take();
    for (const who of ['service', 'floor'] as Who[]) readCaptures(runs[who], 'http');
    for (const who of ['service', 'floor'] as Who[]) {
      report(`verdict HTTP ${who}`, { target_rate: RATE, ...summary(runs[who]), ...(who === 'service' ? { ...(await own('http')), ...pauses } : {}) });
    }
  } else report('verdict HTTP (wrk)', { skipped: 'wrk not installed (apt-get install wrk)' });

  if (has('sipp')) {
    const inf = path.join(dir, 'accounts.csv');
    const rows = ['SEQUENTIAL'];
    for (let i = 0; i < 10_000; i++) rows.push(`a${(i * 7919) % ACCOUNTS};${String(i % 10000).padStart(4, '0')};${(i >> 8) & 255}.${i & 255}.${i % 20 === 0 ? 7 : 9}`);
    writeFileSync(inf, rows.join('\n') + '\n');
    for (const who of ['service', 'floor'] as Who[]) await sipp(targets[who].sip, inf, 5, dir);
    const runs: Record<Who, Array<SippFigures & { wire?: Latencies; capture?: WireCapture }>> = { service: [], floor: [] };
    gc.take();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const who of ['service', 'floor'] as Who[]) {
        runs[who].push(await measure(`sip-${who}-${round}`, `udp port ${targets[who].sip}`, () => sipp(targets[who].sip, inf, SECONDS, dir)));
      }
    }
    const pauses = gc.take();
    for (const who of ['service', 'floor'] as Who[]) readCaptures(runs[who], 'sip');
    for (const who of ['service', 'floor'] as Who[]) {
      report(`verdict SIP ${who}`, { target_rate: RATE, ...summary(runs[who]), ...(who === 'service' ? { ...(await own('sip')), ...pauses } : {}) });
    }
  } else report('verdict SIP redirect (sipp)', { skipped: 'sipp not installed (apt-get install sip-tester)' });

  floor.stop();
  await svc.stop();
  await rt.bus.close();
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
