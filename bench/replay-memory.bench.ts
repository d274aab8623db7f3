// `callsentry replay` against the physical limit of its path, and its memory against the length of
// its input. In one run: a bare JSON.parse loop over an NDJSON file of N records (the synthetic
// office of 2,000+ phones, ~560-byte SIP flows), `callsentry replay --json` over the same file in
// its own process, and the same replay fed 10 × N records through a pipe as they are generated
// (never stored), whose peak RSS must equal the first's if memory does not grow with the input.
//   node dist/bench/replay-memory.bench.js [--records N] [--long-factor K]
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { generate, type Scenario } from '../services/collector/synthetic';
import { report } from './report';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, 'long-factor': { type: 'string', default: '10' } } });
const N = Number(values.records);
const LONG = N * Number(values['long-factor']);
const cli = path.resolve(__dirname, '../services/cli.js');

/** An office of 6,000 phones (about 300 flows a second), stretched as long as asked. */
const office = (seconds: number): Scenario => ({ startMs: Date.parse('2026-02-10T09:00:00Z'), seconds, phones: 6000, callsPerMinute: 8, seed: 7, attackers: [] });

/** Writes `n` records, a minute of event time at a time, respecting the stream's backpressure. */
async function produce(n: number, out: NodeJS.WritableStream): Promise<number> {
  const s = office(366 * 24 * 3600);
  let written = 0;
  for (let minute = 0; written < n; minute++) {
    const chunk = generate(s, minute * 60, (minute + 1) * 60);
    const lines = chunk.slice(0, n - written).map((r) => JSON.stringify(r)).join('\n') + '\n';
    written += Math.min(chunk.length, n - written);
    if (!out.write(lines)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return written;
}

async function jsonParseRate(file: string): Promise<{ records: number; perSecond: number }> {
  const started = process.hrtime.bigint();
  let records = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line) {
      JSON.parse(line);
      records++;
    }
  }
  return { records, perSecond: records / (Number(process.hrtime.bigint() - started) / 1e9) };
}

/** Runs `callsentry replay --json` on a file, or on stdin fed by `feed`; returns its own summary. */
async function replay(input: string, feed?: (stdin: NodeJS.WritableStream) => Promise<number>) {
  const child = spawn(process.execPath, [cli, 'replay', '--json', input], { stdio: [feed ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const fed = feed ? feed(child.stdin!) : Promise.resolve(0);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  await fed;
  const m = /(\d+) records accepted.*?([\d.]+) s, (\d+) records\/s, peak RSS (\d+) MB/s.exec(stderr);
  if (code !== 0 || !m) throw new Error(`replay failed (${code}): ${stderr.slice(-2000)}`);
  return { records: Number(m[1]), seconds: Number(m[2]), perSecond: Number(m[3]), rssMb: Number(m[4]) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-replay-bench-'));
  try {
    const file = path.join(dir, 'flows.ndjson');
    await produce(N, createWriteStream(file));
    const parse = await jsonParseRate(file);
    report('JSON.parse loop', { records: parse.records, records_per_s: Math.round(parse.perSecond) });
    const short = await replay(file);
    report(`callsentry replay ${N / 1e6}M`, { records: short.records, seconds: short.seconds, records_per_s: short.perSecond, peak_rss_mb: short.rssMb, ratio_to_json_parse: short.perSecond / parse.perSecond });
    rmSync(file);
    const long = await replay('-', (stdin) => produce(LONG, stdin));
    report(`callsentry replay ${LONG / 1e6}M (piped)`, { records: long.records, seconds: long.seconds, records_per_s: long.perSecond, peak_rss_mb: long.rssMb, rss_vs_short: long.rssMb / short.rssMb });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
