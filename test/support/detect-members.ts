// `callsentry detect` members as child processes of the built CLI, in one consumer group on Kafka:
// the failover suite and benchmark start, kill and watch them through their JSON log lines
// (assignments, takeovers, warnings) and their metrics endpoints, as an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { encode } from '../../services/core/codec';
import type { Finding, SipFlow } from '../../services/core/records';
import { DetectorEngine } from '../../services/detectors/engine';
import { activeDetectors } from '../../services/detectors/registry';
import { runsOn } from '../../services/detectors/detect-stage';
import { partitionFor } from '../../services/adapters/memory-bus/partition';
import type { Scenario } from '../../services/collector/synthetic';
import { HUNDRED_K } from './scenarios';

// from the sources (jest) or from dist/ (benchmarks)
const REPO = path.resolve(__dirname, __dirname.split(path.sep).includes('dist') ? '../../..' : '../..');
export const CLI = path.join(REPO, 'dist/services/cli.js');

/** Day-long horizons on top of the detectors' own windows: state only a snapshot carries over. */
export const DAY_HORIZONS: Record<string, Record<string, unknown>> = {
  'sip/request-flood': {
    horizons: [{ name: 'day', window_seconds: 86_400, suppress_seconds: 86_400, thresholds: { INVITE: 400, REGISTER: 600, OPTIONS: 1000, other: 100_000 } }],
  },
  'sip/digest-bruteforce': { horizons: [{ name: 'day', window_seconds: 86_400, suppress_seconds: 86_400, min_failures: 500 }] },
};

/**
 * The office of the Kafka suite stretched to `seconds` (about 300 records a second), plus a slow
 * REGISTER campaign over the whole of it that only the day horizon sees, late in the stream.
 */
export function dayScenario(seconds: number): Scenario {
  return { ...HUNDRED_K, seconds, attackers: [...HUNDRED_K.attackers, { ip: '203.0.113.6', method: 'REGISTER', ratePerSecond: 2, startSecond: 0, durationSeconds: seconds }] };
}

/** What the source-keyed detect stage must find: one engine per partition, as the stage keeps them. */
export function referenceIds(records: SipFlow[], detectorSettings: Record<string, Record<string, unknown>>, partitions = 4): Finding[] {
  const detectors = activeDetectors(detectorSettings).filter((a) => runsOn('source', a.detector));
  const engines = Array.from({ length: partitions }, () => new DetectorEngine(detectors));
  return records.flatMap((r) => engines[partitionFor(r.source.ip, partitions)].process(r));
}

/** The records of `scenario`, up to `count`, produced once to `topic` (keyed by source address, as the collector does). */
export async function produceFlows(brokers: string[], topic: string, records: SipFlow[]): Promise<void> {
  const producer = new Kafka({ brokers, clientId: 'failover-producer', logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < records.length; i += 1000) {
    const messages = records.slice(i, i + 1000).map((r) => {
      const m = encode(r.source.ip, r);
      return { key: m.key, value: m.value as string, headers: m.headers };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
}

export interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** A takeover as the new owner logs it: its join (assignment) and its first record after the restore. */
export interface Takeover {
  member: string;
  partition: number;
  restored: string;
  /** wall time of the join that gave the member the partition */
  assignedAt: number;
  /** wall time of its first record processed after the restore */
  firstRecordAt: number;
  /** the stage's own figure: from the partition's first batch without state */
  sinceFirstBatchMs: number;
}

export class DetectMember {
  readonly logs: LogLine[] = [];
  private exit?: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        // the logger writes ECS field names: read them as level, time and msg
        const o = JSON.parse(line) as Record<string, unknown>;
        this.logs.push({ ...o, level: String(o['log.level'] ?? o.level), time: String(o['@timestamp'] ?? o.time), msg: String(o.message ?? o.msg) });
      } catch {
        this.logs.push({ level: 'raw', time: new Date().toISOString(), msg: line });
      }
    });
    child.stdout!.resume();
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  }

  /** Starts `callsentry detect --config <file>` with its broker and prefix from `env`. */
  static start(name: string, configFile: string, env: NodeJS.ProcessEnv): DetectMember {
    const child = spawn(process.execPath, [CLI, 'detect', '--config', configFile], { env: { ...process.env, CALLSENTRY_METRICS_LISTEN: '127.0.0.1:0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new DetectMember(name, child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  exited(): Promise<number | null> {
    return this.exit!;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited();
  }

  /** Log lines with this message. */
  lines(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  /** Partitions of `groupId` this member holds after its newest join. */
  assigned(groupId: string, topic: string): number[] {
    const joins = this.lines('consumer group joined; partitions assigned').filter((l) => l.groupId === groupId);
    const last = joins[joins.length - 1] as { assignment?: Record<string, number[]> } | undefined;
    return last?.assignment?.[topic] ?? [];
  }

  /** Every partition of `topic` this member took over, with the join that gave it the partition. */
  takeovers(groupId: string, topic: string): Takeover[] {
    const out: Takeover[] = [];
    const joins = this.lines('consumer group joined; partitions assigned').filter((l) => l.groupId === groupId);
    for (const t of this.lines('partition taken over: first record after the restore processed')) {
      if (t.topic !== topic) continue;
      const at = Date.parse(t.time);
      const join = joins.filter((j) => Date.parse(j.time) <= at && ((j.assignment as Record<string, number[]>)?.[topic] ?? []).includes(t.partition as number)).pop();
      if (!join) continue;
      out.push({ member: this.name, partition: t.partition as number, restored: String(t.restored), assignedAt: Date.parse(join.time), firstRecordAt: at, sinceFirstBatchMs: t.takeoverMs as number });
    }
    return out;
  }

  /** Sum of a metric's samples whose labels include `labels`; `absent` when there is none (or no endpoint). */
  async metric(name: string, labels: Record<string, string> = {}, absent = 0): Promise<number> {
    const url = this.lines('metrics endpoint listening')[0]?.url as string | undefined;
    if (!url || !this.alive) return absent;
    const text = await fetch(url.endsWith('/metrics') ? url : `${url.replace(/\/$/, '')}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    return sumMetric(text, name, labels) ?? absent;
  }
}

/** Sums the samples of one metric in the Prometheus text format whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string>): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/** Writes the members' configuration file: the broker and prefix come from the environment. */
export function writeDetectConfig(file: string, o: { partitions: number; detectors: Record<string, Record<string, unknown>>; snapshotEveryRecords?: number; snapshotEverySeconds?: number }): string {
  const cfg = {
    bus: { kind: 'kafka', partitions: o.partitions },
    log: { level: 'info' },
    detect: { snapshot_every_records: o.snapshotEveryRecords ?? 10_000, snapshot_every_seconds: o.snapshotEverySeconds ?? 5 },
    detectors: o.detectors,
  };
  // JSON is YAML
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  return file;
}

/**
 * Whether every partition of `input` has been read to its end: its owner's lag is 0, or nothing
 * was left for it to read (the group's committed offset is the partition's end: a new owner whose
 * predecessor's snapshot covered everything gets no batch, so it has no lag sample).
 */
export async function groupDrained(brokers: string[], groupId: string, input: string, members: DetectMember[], partitions: number): Promise<boolean> {
  const admin = new Kafka({ brokers, clientId: 'failover-drained', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(input);
    const committed = (await admin.fetchOffsets({ groupId, topics: [input] }))[0]?.partitions ?? [];
    for (let p = 0; p < partitions; p++) {
      const owner = members.filter((m) => m.alive).find((m) => m.assigned(groupId, input).includes(p));
      if (!owner) return false;
      const lag = await owner.metric('callsentry_consumer_lag', { stage: 'detect-source', partition: String(p) }, NaN);
      const end = ends.find((e) => e.partition === p)?.high;
      if (lag !== 0 && !(end !== undefined && committed.find((c) => c.partition === p)?.offset === end)) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
