// Pre-call verdicts under load, with the load from other processes: HTTP with wrk (paced to about
// 5,000 verdicts/s by its delay hook), SIP redirect with sipp at 5,000 INVITEs/s. Realistic state:
// 100,000 accounts with a class of service and a few calls each, 10,000 blocked addresses, a rate
// deck of 10,000 prefixes. Figures are the load generators' own latencies (p50, p99), plus the
// service's own time per verdict (callsentry_verdict_seconds). Targets (issue 17): p99 <= 2 ms
// HTTP, <= 1 ms SIP. Needs wrk and sipp (infra/apt-packages.txt).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG } from '../services/core/config';
import { silentLogger } from '../services/core/ports';
import type { Decision, SipFlow } from '../services/core/records';
import { MemoryBus } from '../services/adapters/memory-bus/memory-bus';
import { createRuntime } from '../services/runtime/runtime';
import { RateDeck } from '../services/verdicts/rate-deck';
import { startVerdictService } from '../services/verdicts/service';
import { VerdictState } from '../services/verdicts/state';
import { report } from './report';

const ACCOUNTS = 100_000;
const BLOCKS = 10_000;
const PREFIXES = 10_000;
const RATE = 5_000;
const SECONDS = Number(process.env.CALLSENTRY_BENCH_SECONDS ?? 15);
const ROOT = path.resolve(__dirname, '../..');

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
  // a few calls per account, spread over 8 partitions: open ones, ended ones, a day of history
  for (let i = 0; i < ACCOUNTS; i++) {
    const st = state.partition('flows.sip.by-account.v1', i % 8);
    for (let c = 0; c < 3; c++) {
      const at = now - (c + 1) * 3_600_000 * (1 + (i % 20));
      const flow = { '@timestamp': new Date(at).toISOString(), event: { id: `e${i}-${c}`, kind: 'event', dataset: 'sip.flow' }, source: { ip: '192.0.2.1' }, destination: { ip: '192.0.2.2' }, network: { transport: 'udp' }, organization: { id: `t${i % 500}` }, sip: { call_id: `c${i}-${c}`, method: 'INVITE', status: 200, account: `a${i}`, to: { user: c === 0 ? '+442079460000' : '2125550100' } } } as SipFlow;
      state.applyFlow(st, flow);
      if (c > 0) state.applyFlow(st, { ...flow, '@timestamp': new Date(at + 120_000).toISOString(), sip: { ...flow.sip, method: 'BYE', status: 200 } });
    }
  }
  const rt = createRuntime(cfg, { bus: new MemoryBus(), log: silentLogger });
  const svc = await startVerdictService(rt, { env: {}, state, deck: rates, consume: false });
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-verdict-bench-'));
  const own = async (iface: string) => {
    // the service's own time per verdict, from its histogram (bucket bounds: an upper estimate)
    const text = await rt.metrics.render();
    const lines = text.split('\n').filter((l) => l.startsWith('callsentry_verdict_seconds_bucket') && l.includes(`interface="${iface}"`));
    const buckets = lines.map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)![1]), n: Number(l.split(' ').pop()) }));
    const total = buckets[buckets.length - 1]?.n ?? 0;
    const p99 = buckets.find((b) => b.n >= total * 0.99)?.le;
    return { own_verdicts: total, own_p99_ms_at_most: p99 === undefined ? 'n/a' : p99 * 1000 };
  };

  if (has('wrk')) {
    // 50 connections, each waiting 9 ms after its answer: about 5,000 requests/s
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
delay = function() return 9 end
`,
    );
    const r = spawnSync('wrk', ['-t2', '-c50', `-d${SECONDS}s`, '--latency', '-s', lua, svc.http!.url], { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 });
    const out = r.stdout ?? '';
    const ms = (label: string) => {
      const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
      return m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
    };
    report('verdict HTTP (wrk)', { target_rate: RATE, rate: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)), p50_ms: ms('50%'), p99_ms: ms('99%'), errors: /Non-2xx|Socket errors/.test(out) ? 'yes' : 'none', ...(await own('http')) });
  } else report('verdict HTTP (wrk)', { skipped: 'wrk not installed (apt-get install wrk)' });

  if (has('sipp')) {
    const inf = path.join(dir, 'accounts.csv');
    const rows = ['SEQUENTIAL'];
    for (let i = 0; i < 10_000; i++) rows.push(`a${(i * 7919) % ACCOUNTS};${String(i % 10000).padStart(4, '0')};${(i >> 8) & 255}.${i & 255}.${i % 20 === 0 ? 7 : 9}`);
    writeFileSync(inf, rows.join('\n') + '\n');
    const r = spawnSync('sipp', [`127.0.0.1:${svc.sip!.port}`, '-sf', path.join(ROOT, 'bench/verdict-invite.xml'), '-inf', inf, '-i', '127.0.0.1', '-p', '0', '-r', String(RATE), '-m', String(RATE * SECONDS), '-l', '20000', '-nostdin', '-trace_rtt', '-rtt_freq', '1', '-timeout', `${SECONDS + 20}s`, '-trace_stat', '-stf', path.join(dir, 'sipp-stats.csv')], { cwd: dir, encoding: 'utf8', timeout: (SECONDS + 40) * 1000 });
    const rtt = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
    const samples = rtt ? readFileSync(path.join(dir, rtt), 'utf8').split('\n').slice(1).map((l) => Number(l.split(';')[2])).filter((x) => Number.isFinite(x)).sort((a, b) => a - b) : [];
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
    const stats = readFileSync(path.join(dir, 'sipp-stats.csv'), 'utf8').trim().split('\n');
    const head = stats[0].split(';');
    const last = stats[stats.length - 1].split(';');
    const col = (name: string) => Number(last[head.indexOf(name)]);
    report('verdict SIP redirect (sipp)', { target_rate: RATE, calls: col('SuccessfulCall(C)'), failed: col('FailedCall(C)'), rate: Math.round(col('SuccessfulCall(C)') / Math.max(1, Number(col('ElapsedTime(C)')) || SECONDS)), p50_ms: q(0.5), p99_ms: q(0.99), exit: r.status ?? -1, ...(await own('sip')) });
  } else report('verdict SIP redirect (sipp)', { skipped: 'sipp not installed (apt-get install sip-tester)' });

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
