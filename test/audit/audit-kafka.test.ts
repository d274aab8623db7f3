// The audit trail on the real broker: findings, decisions and audit events chained into the log
// file once each, across a failure after the fsync (re-delivery), a restart in mid-stream, and a
// SIGKILLed `callsentry audit` process; the file verifies, and so does an export of the period.
// Needs `npm run kafka:start` (and `npm run build` for the process test).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { encode } from '../../services/core/codec';
import { CallsentryError } from '../../services/core/errors';
import type { AuditEntry, AuditEvent, Decision, Finding } from '../../services/core/records';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { FileAuditStore } from '../../services/audit/file-store';
import { startAuditService } from '../../services/audit/service';
import { exportPeriod } from '../../services/audit/export';
import { generateSigningKey } from '../../services/audit/signing';
import { verifyExport } from '../../services/audit/verify-export';
import { verifyLogFile } from '../../services/audit/verify-log';
import { finding } from '../../services/audit/test-records';
import { decision } from '../../services/enforcer/test-decisions';
import { outcomeEvent } from '../../services/enforcer/audit-events';
import { deleteTopics, KAFKA_BROKERS, kafkaConfig, requireKafka, waitFor } from '../support/kafka';

const CLI = path.resolve(__dirname, '../../dist/services/cli.js');

/** Fails its `failAt`-th append after the entries reached the disk: a crash before the offsets are committed. */
class FailingAfterFsync extends FileAuditStore {
  private appends = 0;
  constructor(
    file: string,
    private readonly failAt: number,
  ) {
    super(file);
  }
  override async append(entries: AuditEntry[]): Promise<void> {
    await super.append(entries);
    if (++this.appends === this.failAt) throw new CallsentryError('AUDIT_STORAGE', 'injected failure after fsync', { retriable: true });
  }
}

function records(wave: string, n: number): { findings: Finding[]; decisions: Decision[]; events: AuditEvent[] } {
  const findings = Array.from({ length: n }, (_, i) => finding(`${wave}-f${i}`, i % 2 ? 'sip/scanner-ua' : 'fraud/wangiri', `198.51.100.${i}`));
  const decisions = Array.from({ length: n }, (_, i) => decision(`${wave}-d${i}`, 'block', 'firewall', `198.51.100.${i}`));
  const events = decisions.map((d) => outcomeEvent({ decision: d, result: 'applied', details: ['nft: ok'] }, 'enforcer-1', d['@timestamp']));
  return { findings, decisions, events };
}

const lines = (file: string): AuditEntry[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

function checkTrail(file: string, expected: Set<string>): void {
  const entries = lines(file);
  expect(entries.map((e) => e.sequence)).toEqual([...entries.keys()]);
  expect(new Set(entries.map((e) => e.source_id))).toEqual(expected);
  expect(entries).toHaveLength(expected.size);
}

describe('audit trail on Kafka', () => {
  const prefixes: string[] = [];
  const children: ChildProcess[] = [];
  beforeAll(() => requireKafka());
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const p of prefixes) await deleteTopics(p);
  });

  async function send(rt: Runtime, r: ReturnType<typeof records>): Promise<Set<string>> {
    const p = await rt.bus.producer();
    await p.send(rt.topics.name('findings.v1'), r.findings.map((f) => encode(f.key.value, f)));
    await p.send(rt.topics.name('decisions.v1'), r.decisions.map((d) => encode(d.target.value, d)));
    await p.send(rt.topics.name('audit.v1'), r.events.map((e) => encode(e.ref!.id, e)));
    return new Set([...r.findings.map((f) => `finding:${f.event.id}`), ...r.decisions.map((d) => `decision:${d.id}`), ...r.events.map((e) => `audit:${e.id}`)]);
  }

  it('chains every record once, gap-free, through a failure after fsync, a restart and re-sent records; the file and an export verify', async () => {
    const cfg = kafkaConfig(4);
    prefixes.push(cfg.bus.topic_prefix);
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-kafka-'));
    const file = path.join(dir, 'audit.ndjson');
    const rt = createRuntime(cfg);
    await ensureTopics(rt);
    const started = Date.now();

    const expected = await send(rt, records('w1', 30));
    const first = await startAuditService(rt, { store: new FailingAfterFsync(file, 2) });
    // part-way: the first service has chained some of it, then "crashes" (stops) in mid-stream
    expect(await waitFor(() => lines(file).length >= 20, 120_000)).toBe(true);
    for (const s of first.subscriptions) await s.stop();
    for (const id of await send(rt, records('w2', 20))) expected.add(id);
    await send(rt, records('w1', 10)); // re-sent: already on the chain

    const second = await startAuditService(rt, { store: new FileAuditStore(file) });
    expect(await waitFor(() => lines(file).length >= expected.size, 120_000)).toBe(true);
    // give re-deliveries a moment to (not) append anything more
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of second.subscriptions) await s.stop();

    checkTrail(file, expected);
    // no signing key here: the chain verifies, and verify says nothing in it is proven by a checkpoint
    expect((await verifyLogFile(file)).checks[0]).toMatchObject({ name: 'chain', ok: true });

    // audit.log.v1 carries every entry (at least once), keyed by sequence, on one partition
    const published = await readTopic(rt.topics.name('audit.log.v1'), expected.size);
    expect([...new Set(published.map((m) => m.partition))]).toEqual([0]);
    expect(new Set(published.map((m) => m.key))).toEqual(new Set([...Array(expected.size).keys()].map(String)));

    const key = createPrivateKey(generateSigningKey().privatePem);
    const { dir: exportDir, manifest } = await exportPeriod(new FileAuditStore(file).entries(), { fromMs: started - 1000, toMs: Date.now() + 1000, format: 'csv', parentDir: path.join(dir, 'exports'), key, allowlist: [], nowMs: Date.now() });
    expect(manifest.entries.count).toBe(expected.size);
    expect((await verifyExport(exportDir, createPublicKey(key))).ok).toBe(true);

    // the log cut below what was published: the writer reads the last message of audit.log.v1 and refuses
    const cut = readFileSync(file, 'utf8').split('\n').slice(0, 10).join('\n') + '\n';
    writeFileSync(file, cut);
    await expect(startAuditService(rt, { store: new FileAuditStore(file) })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BEHIND', message: expect.stringMatching(`ends at entry 9, but entry ${expected.size - 1} was already published on ${rt.topics.name('audit.log.v1')}`) });
    await rt.bus.close();
  });

  it('a SIGKILLed `callsentry audit` process resumes its chain without gaps or duplicates', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run test:all does)`);
    const cfg = kafkaConfig(4);
    prefixes.push(cfg.bus.topic_prefix);
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-kill-'));
    const file = path.join(dir, 'audit.ndjson');
    const config = path.join(dir, 'callsentry.yaml');
    writeFileSync(config, `log:\n  level: warn\naudit:\n  log_file: ${file}\n  export:\n    schedule: null\n`);
    const env = { ...process.env, CALLSENTRY_KAFKA_BROKERS: KAFKA_BROKERS.join(','), CALLSENTRY_TOPIC_PREFIX: cfg.bus.topic_prefix, CALLSENTRY_METRICS_LISTEN: 'off', CALLSENTRY_API_LISTEN: 'off' };
    const start = () => {
      const c = spawn(process.execPath, [CLI, 'audit', '--config', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(c);
      return c;
    };
    const rt = createRuntime(cfg);
    await ensureTopics(rt);

    const one = start();
    const expected = await send(rt, records('k1', 100));
    expect(await waitFor(() => lines(file).length >= 50, 120_000)).toBe(true);
    // killed while records keep coming: what it had not committed is re-delivered to the next one
    const more = send(rt, records('k2', 100));
    one.kill('SIGKILL');
    await new Promise((r) => one.once('exit', r));
    for (const id of await more) expected.add(id);

    const two = start();
    const stderr: string[] = [];
    two.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    expect(await waitFor(() => lines(file).length >= expected.size, 120_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));
    two.kill('SIGTERM');
    expect(await new Promise((r) => two.once('exit', r))).toBe(0);
    checkTrail(file, expected);
    expect((await verifyLogFile(file)).checks[0]).toMatchObject({ name: 'chain', ok: true });
    await rt.bus.close();
  });
});

async function readTopic(topic: string, atLeastKeys: number): Promise<Array<{ key: string; partition: number }>> {
  const kafka = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'audit-it-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}` });
  const got: Array<{ key: string; partition: number }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message, partition }) => void got.push({ key: message.key!.toString(), partition }) });
  await waitFor(() => new Set(got.map((m) => m.key)).size >= atLeastKeys, 60_000);
  await consumer.disconnect();
  return got;
}
