// Each stage runnable alone: the collector, detect, enforce and print commands as separate
// processes on the real broker, like production. Needs `npm run build` and `npm run kafka:start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../../services/collector/synthetic';
import { VERDICT_NODE_FLAGS } from '../../services/verdicts/node-flags';
import { deleteTopics, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const CLI = path.resolve(__dirname, '../../dist/services/cli.js');
const BIN = path.resolve(__dirname, '../../bin/callsentry.js');

describe('stages as separate processes on Kafka', () => {
  const prefix = `it-${randomBytes(4).toString('hex')}.`;
  const env = { ...process.env, CALLSENTRY_KAFKA_BROKERS: KAFKA_BROKERS.join(','), CALLSENTRY_TOPIC_PREFIX: prefix, CALLSENTRY_API_LISTEN: '127.0.0.1:0', CALLSENTRY_METRICS_LISTEN: '127.0.0.1:0' };
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run test:all does)`);
    await requireKafka();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await deleteTopics(prefix);
  });

  const start = (...args: string[]) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
    return { child, out };
  };
  const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

  it('collector -> detect -> enforce -> print: a flood becomes a finding and a dry-run block', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-cli-'));
    const file = path.join(dir, 'flows.ndjson');
    const records = generate({
      startMs: Date.parse('2026-03-01T12:00:00Z'),
      seconds: 30,
      phones: 10,
      callsPerMinute: 3,
      seed: 5,
      attackers: [{ ip: '203.0.113.77', method: 'REGISTER', ratePerSecond: 50, startSecond: 5, durationSeconds: 4 }],
    });
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n{broken\n');

    expect(spawnSync(process.execPath, [CLI, 'topics'], { env, encoding: 'utf8' }).status).toBe(0);
    const print = start('print', '--json');
    const detect = start('detect');
    const enforce = start('enforce');
    const collector = spawnSync(process.execPath, [CLI, 'collector', file], { env, encoding: 'utf8' });
    expect(collector.status).toBe(0);
    expect(collector.stderr).toMatch(/"accepted":\d+/);

    const flood = (kind: string) => print.out.some((l) => l.includes(`"kind":"${kind}"`) && l.includes('"detector":"sip/request-flood"'));
    const done = await waitFor(() => flood('finding') && flood('decision'), 120_000);
    for (const p of [print, detect, enforce]) p.child.kill('SIGTERM');
    const codes = await Promise.all([print, detect, enforce].map((p) => exited(p.child)));

    expect(done).toBe(true);
    const lines = print.out.map((l) => JSON.parse(l));
    // the flood, and whatever else the same source did (sip/campaign: many accounts refused), only it
    expect(lines.map((l) => `${l.kind} ${l.detector} ${l.key?.value ?? l.target.value}`)).toEqual(
      expect.arrayContaining(['decision sip/request-flood 203.0.113.77', 'finding sip/request-flood 203.0.113.77']),
    );
    expect(new Set(lines.map((l) => l.key?.value ?? l.target.value))).toEqual(new Set(['203.0.113.77']));
    // every stage stops cleanly on SIGTERM
    expect(codes).toEqual([0, 0, 0]);
  });

  it('callsentry verdict relaunches itself with its Node flags, answers, and stops with its parent on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-verdict-'));
    const config = path.join(dir, 'verdict.yaml');
    writeFileSync(config, 'verdicts:\n  http_listen: "127.0.0.1:0"\n  sip_listen: null\n');
    const parent = spawn(process.execPath, [BIN, 'verdict', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(parent);
    let log = '';
    parent.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    parent.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    expect(await waitFor(() => /verdict service listening/.test(log), 60_000)).toBe(true);
    const url = /"http":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1];
    expect(url).toBeDefined();

    // the process answering is the parent's child, started with every flag
    const child = Number(spawnSync('ps', ['-o', 'pid=', '--ppid', String(parent.pid)], { encoding: 'utf8' }).stdout.trim());
    const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([...VERDICT_NODE_FLAGS]));
    const res = await fetch(`${url}/v1/verdict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source_ip: '192.0.2.7', from: 'sip:105@pbx', to: '+442079460000', call_id: 'c1' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { verdict: string }).verdict).toBe('allow');

    parent.kill('SIGTERM');
    expect(await exited(parent)).toBe(0);
    // the relaunched process stopped too (its own orderly stop, not a kill)
    expect(await waitFor(() => !existsSync(`/proc/${child}`) || readFileSync(`/proc/${child}/stat`, 'utf8').split(' ')[2] === 'Z', 10_000)).toBe(true);
  });
});
