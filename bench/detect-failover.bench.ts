// Detect failover on Kafka: `callsentry detect` processes (the built CLI) over a topic of at least
// 1,000,000 SIP flows with 24 h horizons. Prints the rate of one member and of two in one group,
// the snapshot sizes and write times, and the takeover time after one of two members is SIGKILLed
// mid-stream: from the partition's assignment to the new owner (its group join) until it processes
// its first record after the snapshot. Needs `npm run build` and the broker (bench/run.sh).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../services/collector/synthetic';
import { createRuntime, ensureTopics } from '../services/runtime/runtime';
import { CLI, DAY_HORIZONS, dayScenario, DetectMember, groupDrained, produceFlows, writeDetectConfig } from '../test/support/detect-members';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../test/support/kafka';
import { report } from './report';

const PARTITIONS = 4;
const RECORDS = Number(process.env.CALLSENTRY_BENCH_RECORDS ?? 1_000_000);
// the office of the Kafka suite makes about 300 records a second of event time
const SECONDS = Math.ceil(RECORDS / 295);

/** A fresh topic set with the records on flows.sip.v1; returns its prefix. */
async function filledTopic(): Promise<{ prefix: string; produceSeconds: number }> {
  const cfg = kafkaConfig(PARTITIONS);
  const rt = createRuntime(cfg);
  await ensureTopics(rt);
  await rt.bus.close();
  const started = performance.now();
  let produced = 0;
  const scenario = dayScenario(SECONDS);
  for (let s = 0; s < SECONDS && produced < RECORDS; s += 60) {
    const slice = generate(scenario, s, Math.min(SECONDS, s + 60)).slice(0, RECORDS - produced);
    await produceFlows(KAFKA_BROKERS, `${cfg.bus.topic_prefix}flows.sip.v1`, slice);
    produced += slice.length;
  }
  return { prefix: cfg.bus.topic_prefix, produceSeconds: (performance.now() - started) / 1000 };
}

interface Group {
  members: DetectMember[];
  groupId: string;
  input: string;
  live(): DetectMember[];
  read(): Promise<number>;
  /** every partition read to its end by its owner, after at least `minRead` records */
  drained(minRead?: number): Promise<boolean>;
}

function startGroup(prefix: string, count: number, config: string): Group {
  const env = { CALLSENTRY_KAFKA_BROKERS: KAFKA_BROKERS.join(','), CALLSENTRY_TOPIC_PREFIX: prefix, CALLSENTRY_API_LISTEN: 'off', CALLSENTRY_CONSOLE_LISTEN: 'off' };
  const members = Array.from({ length: count }, (_, i) => DetectMember.start(`member-${i + 1}`, config, env));
  const groupId = `${prefix}callsentry-detect-source`;
  const input = `${prefix}flows.sip.v1`;
  const live = () => members.filter((m) => m.alive);
  return {
    members,
    groupId,
    input,
    live,
    read: async () => (await Promise.all(live().map((m) => m.metric('callsentry_stage_records_in_total', { stage: 'detect-source' })))).reduce((a, b) => a + b, 0),
    drained: async (minRead = RECORDS) => {
      // every record read (a rebalance re-delivers some: more is fine), and every partition to its end
      if ((await Promise.all(live().map((m) => m.metric('callsentry_stage_records_in_total', { stage: 'detect-source' })))).reduce((a, b) => a + b, 0) < minRead) return false;
      return groupDrained(KAFKA_BROKERS, groupId, input, members, PARTITIONS);
    },
  };
}

/** Polls `check` (async) until it holds; returns the wall time it first did. */
async function until(check: () => Promise<boolean>, limitMs: number, everyMs = 250): Promise<number> {
  let ok = false;
  const got = await waitFor(() => {
    void check().then((v) => (ok ||= v));
    return ok;
  }, limitMs, everyMs);
  if (!got) throw new Error(`not reached within ${limitMs} ms`);
  return Date.now();
}

const peakRssMb = (m: DetectMember) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${m.child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const firstJoin = (g: Group) => Math.min(...g.members.map((m) => Date.parse(m.lines('consumer group joined; partitions assigned')[0]?.time ?? 'x')).filter(Number.isFinite));

async function rateOf(count: number, config: string): Promise<{ rate: number; rssMb: number }> {
  const { prefix } = await filledTopic();
  const g = startGroup(prefix, count, config);
  try {
    await until(async () => g.members.every((m) => m.assigned(g.groupId, g.input).length > 0), 120_000);
    const done = await until(g.drained, 900_000);
    return { rate: RECORDS / ((done - firstJoin(g)) / 1000), rssMb: Math.max(...g.members.map(peakRssMb)) };
  } finally {
    await Promise.all(g.members.map((m) => m.stop('SIGKILL')));
    await deleteTopics(prefix);
  }
}

async function main(): Promise<void> {
  await requireKafka();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-bench-failover-'));
  const config = writeDetectConfig(path.join(dir, 'detect.yaml'), { partitions: PARTITIONS, detectors: DAY_HORIZONS });
  try {
    const one = await rateOf(1, config);
    const two = await rateOf(2, config);

    // the failover: two members, one SIGKILLed once they have read 40 % of the topic
    const { prefix, produceSeconds } = await filledTopic();
    const g = startGroup(prefix, 2, config);
    let read = 0;
    await until(async () => {
      read = await g.read();
      return g.members.every((m) => m.assigned(g.groupId, g.input).length > 0) && read >= RECORDS * 0.4;
    }, 900_000);
    const victim = g.members.find((m) => m.assigned(g.groupId, g.input).length > 0)!;
    const orphaned = victim.assigned(g.groupId, g.input);
    const snapshotBytes = await Promise.all(orphaned.map((p) => victim.metric('callsentry_detector_snapshot_bytes', { input: 'source', partition: String(p) })));
    const writeSum = await victim.metric('callsentry_detector_snapshot_seconds_sum', { input: 'source' });
    const writeCount = await victim.metric('callsentry_detector_snapshot_seconds_count', { input: 'source' });
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const survivor = g.live()[0];
    await until(async () => orphaned.every((p) => survivor.takeovers(g.groupId, g.input).some((t) => t.partition === p && t.assignedAt >= killedAt)), 300_000);
    const takeovers = survivor.takeovers(g.groupId, g.input).filter((t) => t.assignedAt >= killedAt && orphaned.includes(t.partition));
    const restoreSum = await survivor.metric('callsentry_detector_restore_seconds_sum', { input: 'source' });
    const restoreCount = await survivor.metric('callsentry_detector_restore_seconds_count', { input: 'source' });
    // the victim's reads went with it: the survivor's lag alone says when it is done
    await until(() => g.drained(0), 900_000);
    const rss = peakRssMb(survivor);
    await survivor.stop('SIGKILL');
    await deleteTopics(prefix);

    const worst = Math.max(...takeovers.map((t) => t.firstRecordAt - t.assignedAt));
    report('detect failover', {
      records: RECORDS,
      horizon_hours: 24,
      produce_seconds: produceSeconds,
      one_member_records_per_s: Math.round(one.rate),
      two_members_records_per_s: Math.round(two.rate),
      two_to_one: two.rate / one.rate,
      killed_after_records: read,
      partitions_taken_over: takeovers.length,
      restored_from: [...new Set(takeovers.map((t) => t.restored))].join('+'),
      takeover_ms_max: worst,
      takeover_ms: takeovers.map((t) => t.firstRecordAt - t.assignedAt).join('/'),
      takeover_from_first_batch_ms: takeovers.map((t) => t.sinceFirstBatchMs).join('/'),
      assignment_after_kill_ms: Math.min(...takeovers.map((t) => t.assignedAt)) - killedAt,
      snapshot_kb: snapshotBytes.map((b) => Math.round(b / 1024)).join('/'),
      snapshot_write_ms_mean: writeCount ? (writeSum / writeCount) * 1000 : NaN,
      snapshots_written_by_victim: writeCount,
      restore_ms_mean: restoreCount ? (restoreSum / restoreCount) * 1000 : NaN,
      member_peak_rss_mb: Math.round(Math.max(one.rssMb, two.rssMb, rss)),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(String(err?.stack ?? err));
  process.exit(1);
});
