// Pre-call verdicts under load, with the load from other processes: HTTP with wrk (paced to about
// 5,000 verdicts/s by its delay hook), SIP redirect with five sipp at 5,000 INVITEs/s. The service
// (bench/verdict-service.ts: 100,000 accounts, 10,000 blocked addresses, a rate deck of 10,000
// prefixes) and a floor that does no work (bench/verdict-floor.ts) each run in a process of their
// own, measured in alternating rounds. Figures: latency on the wire (bench/wire-latency.ts), the
// generators' own where there is no capture, and from inside the service its own time per verdict,
// busy loop and collections. Targets (issue 17): p99 <= 2 ms HTTP, <= 1 ms SIP. Needs wrk and sipp
// (infra/apt-packages.txt); the wire figures need root, tcpdump and tshark.
import { fork, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VERDICT_NODE_FLAGS } from '../services/verdicts/node-flags';
import { report } from './report';
import { ACCOUNTS, BLOCKS, type Inside, type ServiceAsk, type ServiceReady } from './verdict-service';
import { canCapture, summarise, WireCapture, type Latencies } from './wire-latency';

const RATE = 5_000;
const SECONDS = Number(process.env.CALLSENTRY_BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.CALLSENTRY_BENCH_ROUNDS ?? 3);
const SIPP_INSTANCES = 5;
const ROOT = path.resolve(__dirname, '../..');

/** A load generator in a process of its own; asynchronous, so that several run at once. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number, keepStdout = true): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // sipp draws its screen on stdout every second: not read, not kept
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d.toString()));
    child.stderr!.on('data', (d) => (stderr = (stderr + d.toString()).slice(-4000)));
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
  /** sipp's own times (whole ms off its loop clock): only without a capture, as writing them costs the CPUs the service needs */
  gen_p50_ms?: number;
  gen_p99_ms?: number;
}

/**
 * SIPP_INSTANCES sipp processes share the rate: one sipp at 5,000 calls/s sends its calls in bursts
 * of about 30 every 6 ms (its scheduler loop), and the queue behind such a burst is sipp's, not the
 * service's. Several proxies asking at once is also what a verdict service sees.
 */
async function sipp(port: number, inf: string, seconds: number, dir: string, timed: boolean): Promise<SippFigures> {
  const each = RATE / SIPP_INSTANCES;
  const started = Date.now();
  const runs = await Promise.all(
    Array.from({ length: SIPP_INSTANCES }, (_, i) => {
      const stats = path.join(dir, `sipp-${port}-${i}.csv`);
      const args = [`127.0.0.1:${port}`, '-sf', path.join(ROOT, 'bench/verdict-invite.xml'), '-inf', inf, '-i', '127.0.0.1', '-p', '0', '-r', String(each), '-m', String(each * seconds), '-l', '20000', '-nostdin', ...(timed ? ['-trace_rtt', '-rtt_freq', '1'] : []), '-timeout', `${seconds + 10}s`, '-trace_stat', '-fd', '1', '-stf', stats];
      return run('sipp', args, dir, (seconds + 40) * 1000, false).then((r) => ({ r, stats }));
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
  const figures = { rate: Math.round(answered / Math.max(elapsed, seconds)), answered, failed };
  if (!timed) return figures;
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
  return { ...figures, gen_p50_ms: q(0.5), gen_p99_ms: q(0.99) };
}

/** Rounds in one line: the median round's figures, each round's p99, and the p99 of all their answers together. */
function summary(runs: Array<{ rate: number; gen_p50_ms?: number; gen_p99_ms?: number; wire?: Latencies; errors?: string; failed?: number }>): Record<string, number | string> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const out: Record<string, number | string> = {
    rounds: runs.length,
    rate: median(runs.map((r) => r.rate)),
  };
  for (const gen of ['gen_p50_ms', 'gen_p99_ms'] as const) if (runs.every((r) => r[gen] !== undefined)) out[gen] = median(runs.map((r) => r[gen]!));
  if (runs.every((r) => r.wire)) {
    out.wire_p50_ms = median(runs.map((r) => r.wire!.p50_ms));
    out.wire_p99_ms = median(runs.map((r) => r.wire!.p99_ms));
    out.wire_p99_each = runs.map((r) => r.wire!.p99_ms).join('/');
    // every answer of every round together: the p99 of the whole run
    const all = summarise(runs.flatMap((r) => r.wire!.times))!;
    out.wire_p99_all_ms = all.p99_ms;
    out.wire_p999_all_ms = all.p999_ms;
  }
  for (const extra of ['errors', 'failed'] as const) if (runs[0][extra] !== undefined) out[extra] = runs.map((r) => String(r[extra])).join('/');
  return out;
}

/** The service's figures from inside, over its rounds: the median busy loop, collections summed, their longest. */
function insideOf(runs: Array<{ inside?: Inside }>): Record<string, number> {
  const all = runs.map((r) => r.inside).filter((x): x is Inside => x !== undefined);
  const busy = all.map((x) => x.loop_busy_pct).sort((a, b) => a - b);
  return {
    loop_busy_pct: busy[Math.floor(busy.length / 2)],
    full_gcs: all.reduce((n, x) => n + x.full_gcs, 0),
    full_gc_max_ms: Math.max(0, ...all.map((x) => x.full_gc_max_ms)),
    young_gcs: all.reduce((n, x) => n + x.young_gcs, 0),
    young_gc_max_ms: Math.max(0, ...all.map((x) => x.young_gc_max_ms)),
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

/** The service (bench/verdict-service.ts) in a process of its own, as `callsentry verdict` runs. */
async function startService(): Promise<ServiceReady & { ask<T>(m: ServiceAsk): Promise<T>; stop(): void }> {
  const child = fork(path.join(__dirname, 'verdict-service.js'), [], { execArgv: [...VERDICT_NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<ServiceReady>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServiceReady));
    child.once('exit', (code) => reject(new Error(`the verdict service exited ${code}`)));
  });
  const ask = <T>(m: ServiceAsk) => new Promise<T>((resolve) => {
    child.once('message', (r) => resolve(r as T));
    child.send(m);
  });
  return { ...ready, ask, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const svc = await startService();
  report('verdict judge (1 core)', svc.judge);
  const floor = await startFloor();
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-verdict-bench-'));
  const capture = canCapture();
  if (!capture) process.stderr.write('verdict bench: no wire latencies (they need root, tcpdump and tshark: bash infra/setup-test.sh installs them)\n');
  const inside = () => svc.ask<Inside>({ ask: 'inside' });
  const own = (iface: 'http' | 'sip') => svc.ask<Record<string, number | string>>({ ask: 'own', iface });
  const targets = { service: { http: svc.http, sip: svc.sip }, floor: { http: `http://127.0.0.1:${floor.http}`, sip: floor.sip } };
  type Who = keyof typeof targets;

  /**
   * One measured run: the load, the wire's view of it (read once every round has run) when a
   * capture is possible, and for the service its collections and busy loop while the load ran.
   */
  async function measure<T extends object>(who: Who, name: string, filter: string, load: () => Promise<T>): Promise<T & { wire?: Latencies; capture?: WireCapture; inside?: Inside }> {
    const cap = capture ? new WireCapture(dir, name, filter) : undefined;
    await cap?.ready();
    if (who === 'service') await inside();
    const figures = await load();
    const during = who === 'service' ? await inside() : undefined;
    await cap?.stop();
    return { ...figures, ...(cap ? { capture: cap } : {}), ...(during ? { inside: during } : {}) };
  }
  const readCaptures = (runs: Array<{ wire?: Latencies; capture?: WireCapture }>, kind: 'http' | 'sip') => {
    for (const r of runs) r.wire = r.capture?.read(kind);
  };

  if (has('wrk')) {
    const lua = writeWrkScript(dir);
    for (const who of ['service', 'floor'] as Who[]) await wrk(lua, targets[who].http, 5, dir); // warm-up: JIT, caches, connections
    const runs: Record<Who, Array<WrkFigures & { wire?: Latencies; capture?: WireCapture; inside?: Inside }>> = { service: [], floor: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const who of ['service', 'floor'] as Who[]) {
        const port = new URL(targets[who].http).port;
        runs[who].push(await measure(who, `http-${who}-${round}`, `tcp port ${port}`, () => wrk(lua, targets[who].http, SECONDS, dir)));
      }
    }
    for (const who of ['service', 'floor'] as Who[]) readCaptures(runs[who], 'http');
    for (const who of ['service', 'floor'] as Who[]) {
      report(`verdict HTTP ${who}`, { target_rate: RATE, ...summary(runs[who]), ...(who === 'service' ? { ...(await own('http')), ...insideOf(runs[who]) } : {}) });
    }
  } else report('verdict HTTP (wrk)', { skipped: 'wrk not installed (apt-get install wrk)' });

  if (has('sipp')) {
    const inf = path.join(dir, 'accounts.csv');
    const rows = ['SEQUENTIAL'];
    for (let i = 0; i < 10_000; i++) rows.push(`a${(i * 7919) % ACCOUNTS};${String(i % 10000).padStart(4, '0')};${(i >> 8) & 255}.${i & 255}.${i % 20 === 0 ? 7 : 9}`);
    writeFileSync(inf, rows.join('\n') + '\n');
    for (const who of ['service', 'floor'] as Who[]) await sipp(targets[who].sip, inf, 5, dir, !capture);
    const runs: Record<Who, Array<SippFigures & { wire?: Latencies; capture?: WireCapture; inside?: Inside }>> = { service: [], floor: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const who of ['service', 'floor'] as Who[]) {
        runs[who].push(await measure(who, `sip-${who}-${round}`, `udp port ${targets[who].sip}`, () => sipp(targets[who].sip, inf, SECONDS, dir, !capture)));
      }
    }
    for (const who of ['service', 'floor'] as Who[]) readCaptures(runs[who], 'sip');
    for (const who of ['service', 'floor'] as Who[]) {
      report(`verdict SIP ${who}`, { target_rate: RATE, ...summary(runs[who]), ...(who === 'service' ? { ...(await own('sip')), ...insideOf(runs[who]) } : {}) });
    }
  } else report('verdict SIP redirect (sipp)', { skipped: 'sipp not installed (apt-get install sip-tester)' });

  floor.stop();
  svc.stop();
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
