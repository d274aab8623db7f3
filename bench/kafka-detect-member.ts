// One `callsentry detect` process, as production runs it (decode + every detector, findings
// produced, offsets committed), over topics that are already full. Its progress is read from its
// own /metrics (records read by its detect stages); its peak RSS from /proc before it is stopped.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface MemberRun {
  records: number;
  /** first record read to the last one */
  seconds: number;
  /** process start until its first record (node start, topics check, group join) */
  startup_seconds: number;
  peak_rss_mb: number;
}

export async function runDetectMember(opts: { client: 'kafkajs'; brokers: string[]; prefix: string; partitions: number; records: number }): Promise<MemberRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'callsentry-bench-'));
  const port = await freePort();
  const config = path.join(dir, 'callsentry.yaml');
  writeFileSync(
    config,
    [
      'bus:',
      '  kind: kafka',
      `  topic_prefix: "${opts.prefix}"`,
      `  partitions: ${opts.partitions}`,
      '  kafka:',
      `    brokers: [${opts.brokers.map((b) => `"${b}"`).join(', ')}]`,
      'metrics:',
      `  listen: "127.0.0.1:${port}"`,
      'log:',
      '  level: warn',
      '',
    ].join('\n'),
  );
  const cli = path.resolve(__dirname, '../../bin/callsentry.js');
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'detect', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let first: number | undefined;
  let last = 0;
  let seen = 0;
  try {
    while (seen < opts.records) {
      if (child.exitCode !== null) throw new Error(`callsentry detect exited with ${child.exitCode} after ${seen} records`);
      await new Promise((r) => setTimeout(r, 100));
      seen = await recordsRead(port).catch(() => 0);
      const now = performance.now();
      if (seen > 0) first ??= now;
      last = now;
      if (now - t0 > 900_000) throw new Error(`callsentry detect read ${seen} of ${opts.records} records in 15 minutes`);
    }
    const peak = peakRssOf(child.pid!);
    return { records: seen, seconds: (last - first!) / 1000, startup_seconds: (first! - t0) / 1000, peak_rss_mb: Math.round(peak) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sum of callsentry_stage_records_in_total over the detect stages. */
async function recordsRead(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^callsentry_stage_records_in_total\{[^}]*stage="detect-[^"]*"[^}]*\} (\d+)/.exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

function peakRssOf(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
