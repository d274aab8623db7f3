// Detector state v2 on a real Kafka broker, with day-long horizons: snapshots restored by a new
// owner give the findings of an uninterrupted run (same ids); unusable snapshots fall back to
// re-reading; and `callsentry detect` processes in one group survive a SIGKILLed member and a
// broker restart mid-stream. Findings may repeat on findings.v1 (consumers are idempotent by id);
// none may be missing and no other id may appear. Needs `npm run build` and `npm run kafka:start`;
// the broker-restart test starts a broker of its own on free ports (the shared one serves other
// suites running meanwhile).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import type { CallsentryConfig } from '../../services/core/config';
import type { Finding, SipFlow } from '../../services/core/records';
import { runStage } from '../../services/core/stage';
import { generate } from '../../services/collector/synthetic';
import { detectStage } from '../../services/detectors/detect-stage';
import { activeDetectors } from '../../services/detectors/registry';
import { SNAPSHOT_FORMAT } from '../../services/detectors/state-snapshot';
import { createJsonLogger } from '../../services/adapters/log/json-logger';
import { createRuntime, ensureTopics } from '../../services/runtime/runtime';
import { CLI, DAY_HORIZONS, dayScenario, DetectMember, groupDrained, produceFlows, referenceIds, writeDetectConfig, type Takeover } from '../support/detect-members';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const REPO = path.resolve(__dirname, '../..');
const PARTITIONS = 4;
// about 105,000 records: the office of the Kafka suite for 350 s, with its floods and a slow campaign
const records: SipFlow[] = generate(dayScenario(350));
const reference = referenceIds(records, DAY_HORIZONS, PARTITIONS);
const referenceIdSet = new Set(reference.map((f) => f.event.id));

/** Reads findings.v1 from the start: every id, with how often it came. */
async function findingsReader(brokers: string[], prefix: string) {
  const seen = new Map<string, number>();
  const consumer = new Kafka({ brokers, clientId: 'failover-reader', logLevel: logLevel.NOTHING, retry: { retries: 30 } }).consumer({ groupId: `${prefix}failover-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}findings.v1`, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = (JSON.parse(message.value!.toString()) as Finding).event.id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    },
  });
  return { seen, complete: () => [...referenceIdSet].every((id) => seen.has(id)), stop: () => consumer.disconnect().catch(() => undefined) };
}

/** Missing and foreign ids against the reference, and how many arrived more than once. */
function reconcile(seen: Map<string, number>) {
  return {
    missing: [...referenceIdSet].filter((id) => !seen.has(id)),
    foreign: [...seen.keys()].filter((id) => !referenceIdSet.has(id)),
    repeated: [...seen.values()].filter((n) => n > 1).length,
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

describe('detect failover on Kafka, day-long horizons', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  const prefixes: Array<{ prefix: string; brokers: string[] }> = [];

  const freshTopics = async (brokers = KAFKA_BROKERS): Promise<CallsentryConfig> => {
    const cfg = kafkaConfig(PARTITIONS);
    cfg.bus.kafka.brokers = brokers;
    cfg.detectors = DAY_HORIZONS;
    prefixes.push({ prefix: cfg.bus.topic_prefix, brokers });
    const admin = createRuntime(cfg);
    await ensureTopics(admin);
    await admin.bus.close();
    return cfg;
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run test:all does)`);
    await requireKafka();
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });
  afterAll(async () => {
    for (const p of prefixes) if (p.brokers === KAFKA_BROKERS) await deleteTopics(p.prefix);
  });

  it('has findings on the day horizon that only the state of the whole stream gives', () => {
    expect(records.length).toBeGreaterThan(100_000);
    const day = reference.filter((f) => f.window.horizon === 'day').map((f) => `${f.rule.id} ${f.key.value}`);
    // the slow prober and the slow REGISTER campaign stay under every short window
    expect(day).toEqual(expect.arrayContaining(['sip/request-flood 203.0.113.4', 'sip/request-flood 203.0.113.6']));
    expect(reference.filter((f) => ['203.0.113.4', '203.0.113.6'].includes(f.key.value) && !f.window.horizon)).toEqual([]);
  });

  describe('in process, on the broker', () => {
    /** A detect member on its own runtime, counting the records it is handed. */
    async function member(cfg: CallsentryConfig) {
      const logs: Array<{ level: string; msg: string }> = [];
      // ECS field names (log.level, message), read back as level and msg
      const write = (line: string) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        logs.push({ ...o, level: String(o['log.level']), msg: String(o.message) });
      };
      const rt = createRuntime(cfg, { log: createJsonLogger({ level: 'warn', write }) });
      const stage = detectStage({ topics: rt.topics, detectors: activeDetectors(cfg.detectors), metrics: rt.metrics, snapshots: { everyRecords: 5000, everySeconds: 1 } });
      let processed = 0;
      const process = stage.process.bind(stage);
      stage.process = (batch, ctx) => {
        processed += batch.messages.length;
        return process(batch, ctx);
      };
      const sub = await runStage(rt.bus, stage, rt);
      const stop = async () => {
        await sub.stop();
        await rt.bus.close();
      };
      cleanup.push(stop);
      const restores = (outcome: string, reason = '') => rt.metrics.counter('callsentry_detector_restores_total', '').get({ input: 'source', outcome, reason });
      return { rt, logs, stop, restores, processed: () => processed };
    }

    // one hand-over for both claims (the suite's time): the first owner reads half the stream and
    // stops; the newest snapshots of partitions 2 and 3 are then replaced, one with a flipped body
    // byte and one of the previous format version; a second owner does the rest
    let second: Awaited<ReturnType<typeof member>>;
    let seen: Map<string, number>;
    beforeAll(async () => {
      const cfg = await freshTopics();
      const out = await findingsReader(KAFKA_BROKERS, cfg.bus.topic_prefix);
      cleanup.push(out.stop);
      await produceFlows(KAFKA_BROKERS, `${cfg.bus.topic_prefix}flows.sip.v1`, records);
      const first = await member(cfg);
      expect(await waitFor(() => first.processed() >= records.length / 2, 120_000, 20)).toBe(true);
      await first.stop();
      expect(await first.rt.metrics.counter('callsentry_detector_snapshots_total', '').get({ input: 'source', outcome: 'written' })).toBeGreaterThanOrEqual(PARTITIONS);

      const rt = createRuntime(cfg);
      const stateTopic = rt.topics.name('state.detect-source.v1');
      const reader = await rt.bus.stateReader!(stateTopic);
      const producer = await rt.bus.producer();
      for (const [p, tamper] of [
        [2, (v: Buffer) => Buffer.from(v.map((b, i) => (i === v.length - 7 ? b ^ 0x5a : b)))],
        [3, (v: Buffer) => Buffer.concat([v.subarray(0, 4), Buffer.from([0, SNAPSHOT_FORMAT - 1]), v.subarray(6)])],
      ] as const) {
        const key = `${rt.topics.group('detect-source')}/${p}`;
        await producer.send(stateTopic, [{ key, value: tamper((await reader.latest(key))!.value) }]);
      }
      await reader.close();
      await rt.bus.close();

      second = await member(cfg);
      expect(await waitFor(out.complete, 180_000)).toBe(true);
      // it keeps running: every partition is read to its end
      const drained = async () => {
        const text = await second.rt.metrics.render();
        return [...Array(PARTITIONS).keys()].every((p) => new RegExp(`^callsentry_consumer_lag\\{[^}]*partition="${p}"[^}]*\\} 0$`, 'm').test(text));
      };
      expect(await waitFor(drained, 120_000)).toBe(true);
      seen = out.seen;
    });
    afterAll(async () => {
      for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
    });

    it('a new owner restores intact snapshots and finds what one uninterrupted run finds, same ids', async () => {
      expect(reconcile(seen)).toMatchObject({ missing: [], foreign: [] });
      expect(await second.restores('snapshot')).toBe(2);
      expect(await second.restores('fallback', 'missing')).toBe(0);
    });

    it('falls back to re-reading on a corrupt snapshot and on one of an older format version, warns, counts, and keeps running', async () => {
      expect(await second.restores('fallback', 'corrupt')).toBe(1);
      expect(await second.restores('fallback', 'version')).toBe(1);
      const warnings = second.logs.filter((l) => l.level === 'warn' || l.level === 'error');
      expect(warnings.map((l) => `${l.msg} (${(l as { reason?: string }).reason})`).sort()).toEqual([
        'detector state not restored from a snapshot; rebuilding it by re-reading the window (corrupt)',
        'detector state not restored from a snapshot; rebuilding it by re-reading the window (version)',
      ]);
      expect(await second.rt.metrics.counter('callsentry_stage_failures_total', '').total()).toBe(0);
    });
  });

  describe('callsentry detect processes in one consumer group', () => {
    /** Members of one group, the findings they write, and when their work is done. */
    async function group(cfg: CallsentryConfig, count: number) {
      const prefix = cfg.bus.topic_prefix;
      const brokers = cfg.bus.kafka.brokers;
      const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-failover-'));
      const config = writeDetectConfig(path.join(dir, 'detect.yaml'), { partitions: PARTITIONS, detectors: DAY_HORIZONS, snapshotEveryRecords: 5000, snapshotEverySeconds: 2 });
      const env = { CALLSENTRY_KAFKA_BROKERS: brokers.join(','), CALLSENTRY_TOPIC_PREFIX: prefix, CALLSENTRY_API_LISTEN: 'off', CALLSENTRY_CONSOLE_LISTEN: 'off' };
      const members = Array.from({ length: count }, (_, i) => DetectMember.start(`member-${i + 1}`, config, env));
      cleanup.push(async () => {
        await Promise.all(members.map((m) => m.stop('SIGKILL')));
        rmSync(dir, { recursive: true, force: true });
      });
      const groupId = `${prefix}callsentry-detect-source`;
      const input = `${prefix}flows.sip.v1`;
      const live = () => members.filter((m) => m.alive);
      const progress = async () => (await Promise.all(live().map((m) => m.metric('callsentry_stage_records_in_total', { stage: 'detect-source' })))).reduce((a, b) => a + b, 0);
      const drained = () => groupDrained(brokers, groupId, input, members, PARTITIONS);
      const allJoined = () => members.every((m) => m.assigned(groupId, input).length > 0);
      return { members, groupId, input, live, progress, drained, allJoined };
    }

    const report = (what: string, takeovers: Takeover[], since: number) => {
      const lines = takeovers
        .filter((t) => t.assignedAt >= since)
        .map((t) => `${t.member} partition ${t.partition} (${t.restored}): ${t.firstRecordAt - t.assignedAt} ms from assignment to first record after the snapshot (${t.sinceFirstBatchMs} ms from its first batch); assigned ${t.assignedAt - since} ms after the ${what}`);
      console.log(`takeovers after the ${what}:\n  ${lines.join('\n  ') || 'none'}`);
      return takeovers.filter((t) => t.assignedAt >= since);
    };

    async function untilDone(g: Awaited<ReturnType<typeof group>>, out: Awaited<ReturnType<typeof findingsReader>>) {
      let drained = false;
      const done = await waitFor(() => {
        if (out.complete()) void g.drained().then((d) => (drained = d));
        return out.complete() && drained;
      }, 240_000, 500);
      return done;
    }

    it('a SIGKILLed member of three: the others take its partitions over from their snapshots; findings reconcile by id', async () => {
      const cfg = await freshTopics();
      const out = await findingsReader(KAFKA_BROKERS, cfg.bus.topic_prefix);
      cleanup.push(out.stop);
      // half the records now and half after the SIGKILL, so the victim's partitions still hold
      // records when it dies (on a quick machine three members read all of them before it)
      const half = Math.floor(records.length / 2);
      await produceFlows(KAFKA_BROKERS, `${cfg.bus.topic_prefix}flows.sip.v1`, records.slice(0, half));
      const g = await group(cfg, 3);

      // mid-stream: every member holds partitions and a third of the first half is done
      let read = 0;
      expect(await waitFor(() => (void g.progress().then((n) => (read = n)), g.allJoined() && read >= half / 3), 120_000, 100)).toBe(true);
      const victim = g.members.reduce((a, b) => (b.assigned(g.groupId, g.input).length > a.assigned(g.groupId, g.input).length ? b : a));
      const orphaned = victim.assigned(g.groupId, g.input);
      const readBefore = read;
      const killedAt = Date.now();
      await victim.stop('SIGKILL');
      console.log(`SIGKILL ${victim.name} (partitions ${orphaned.join(', ')}) after ${readBefore} of ${records.length} records were read`);
      await produceFlows(KAFKA_BROKERS, `${cfg.bus.topic_prefix}flows.sip.v1`, records.slice(half));

      expect(await untilDone(g, out)).toBe(true);
      expect(reconcile(out.seen)).toMatchObject({ missing: [], foreign: [] });
      console.log(`findings: ${referenceIdSet.size} distinct ids as the reference, ${reconcile(out.seen).repeated} of them more than once on findings.v1`);

      const takeovers = report('SIGKILL', g.live().flatMap((m) => m.takeovers(g.groupId, g.input)), killedAt);
      // the victim's partitions went to the survivors, who restored them from snapshots
      expect([...new Set(takeovers.map((t) => t.partition))].sort()).toEqual(expect.arrayContaining(orphaned));
      expect(takeovers.filter((t) => orphaned.includes(t.partition)).every((t) => t.restored === 'snapshot')).toBe(true);
      for (const m of g.live()) expect(m.lines('detector state not restored from a snapshot; rebuilding it by re-reading the window')).toEqual([]);
    });

    it('the broker restarted mid-stream under two members: findings reconcile by id', async () => {
      // a broker of this test's own: the shared one serves the suites that run meanwhile
      const [port, controller] = [await freePort(), await freePort()];
      const runDir = mkdtempSync(path.join(tmpdir(), 'callsentry-kafka-'));
      const scriptEnv = { ...process.env, CALLSENTRY_KAFKA_PORT: String(port), CALLSENTRY_KAFKA_CONTROLLER_PORT: String(controller), CALLSENTRY_KAFKA_RUN_DIR: runDir, CALLSENTRY_KAFKA_REUSE_EXISTING: '0' };
      const script = (name: 'start' | 'stop') => promisify(execFile)('bash', [path.join(REPO, 'infra/kafka', `${name}.sh`)], { cwd: REPO, env: scriptEnv, timeout: 240_000 });
      cleanup.push(async () => {
        await script('stop');
        rmSync(runDir, { recursive: true, force: true });
      });
      await script('start');
      const brokers = [`127.0.0.1:${port}`];

      const cfg = await freshTopics(brokers);
      const out = await findingsReader(brokers, cfg.bus.topic_prefix);
      cleanup.push(out.stop);
      const g = await group(cfg, 2);
      expect(await waitFor(g.allJoined, 120_000)).toBe(true);
      // the stream: 60 % now, the broker goes down while the members work on it, the rest after
      const cut = Math.floor(records.length * 0.6);
      await produceFlows(brokers, `${cfg.bus.topic_prefix}flows.sip.v1`, records.slice(0, cut));
      let read = 0;
      expect(await waitFor(() => (void g.progress().then((n) => (read = n)), read >= records.length / 4), 120_000, 100)).toBe(true);
      const readBefore = read;
      const stoppedAt = Date.now();
      await script('stop');
      console.log(`broker stopped after ${readBefore} of ${records.length} records were read, in ${Date.now() - stoppedAt} ms`);
      expect(reconcile(out.seen).missing.length).toBeGreaterThan(0);
      const restartedAt = Date.now();
      await script('start');
      console.log(`broker serving again ${Date.now() - restartedAt} ms after start.sh`);
      await produceFlows(brokers, `${cfg.bus.topic_prefix}flows.sip.v1`, records.slice(cut));

      expect(await untilDone(g, out)).toBe(true);
      expect(g.live()).toHaveLength(2);
      expect(reconcile(out.seen)).toMatchObject({ missing: [], foreign: [] });
      console.log(`findings: ${referenceIdSet.size} distinct ids as the reference, ${reconcile(out.seen).repeated} of them more than once on findings.v1`);
      report('broker restart', g.live().flatMap((m) => m.takeovers(g.groupId, g.input)), stoppedAt);
    });
  });
});
