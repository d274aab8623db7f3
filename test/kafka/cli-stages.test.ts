// Each stage runnable alone: the collector, detect, enforce and print commands as separate
// processes on the real broker, like production. Needs `npm run build` and `npm run kafka:start`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../../services/collector/synthetic';
import { deleteTopics, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const CLI = path.resolve(__dirname, '../../dist/services/cli.js');

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
});
