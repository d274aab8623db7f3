// The embedded pipeline over files, shared by `replay` and `evaluate`: every record of every file
// (captures by content, NDJSON otherwise) through every stage on the in-process bus, until drained.
import type { CallsentryConfig } from '../core/config';
import type { Logger } from '../core/ports';
import type { Decision, Finding } from '../core/records';
import { Ingest } from '../collector/ingest';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { startAll } from '../runtime/stages';
import { feedNdjson } from './feed';
import { describeCapture, feedCapture } from './feed-capture';
import { inputKinds } from './input-kind';
import type { CommandIo } from './io';

export interface ReplayResult {
  findings: Finding[];
  decisions: Decision[];
  lines: number;
  /** one summary line per capture */
  captures: string[];
  /** captures that ended in damage, with the error */
  damaged: string[];
  accepted: number;
  sip: number;
  media: number;
  malformed: number;
  rejected: Record<string, number>;
  /** every dead letter written (flow topics' .dlq) */
  deadLetters: number;
  /** of those, the ones the embedded bus still holds (it keeps the last N of a topic nobody consumes) */
  deadLettersKept: number;
  seconds: number;
  /** event time of the first and the last record (epoch ms); absent when no record was accepted */
  span?: { firstMs: number; lastMs: number };
}

export async function replayFiles(
  files: string[],
  cfg: CallsentryConfig,
  io: CommandIo,
  opts: { log: Logger; print?: { json: boolean; write: (line: string) => void } },
): Promise<ReplayResult> {
  // every file is checked before the pipeline starts: a bad last file fails at once, not at the end
  const kinds = inputKinds(files);
  const bus = new MemoryBus({ defaultPartitions: cfg.bus.partitions });
  const rt = createRuntime({ ...cfg, bus: { ...cfg.bus, kind: 'memory' } }, { bus, log: opts.log });
  await ensureTopics(rt);
  const findings: Finding[] = [];
  const decisions: Decision[] = [];
  const subs = await startAll(rt, opts.print, { onFinding: (f) => findings.push(f), onDecision: (d) => decisions.push(d) });
  const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor, tenant: cfg.collector.tenant, dialPlans: cfg.dial_plans });

  const started = process.hrtime.bigint();
  let lines = 0;
  const captures: string[] = [];
  const damaged: string[] = [];
  for (const file of files) {
    if (kinds.get(file) === 'ndjson') {
      lines += await feedNdjson(ingest, file, io, cfg.collector.max_line_bytes);
      continue;
    }
    const result = await feedCapture(ingest, file, io, cfg.collector.sensor, cfg.collector.tenant);
    captures.push(describeCapture(file, result));
    if (result.error) damaged.push(`${result.error.message} [${result.error.code}]; the ${result.records} records read before it are kept`);
  }
  await bus.drained();
  for (const s of subs) await s.stop();
  await bus.close();
  const dlqs = [rt.topics.dlq('flows.sip.v1'), rt.topics.dlq('flows.media.v1')];
  return {
    findings,
    decisions,
    lines,
    captures,
    damaged,
    accepted: ingest.stats.accepted,
    sip: ingest.stats.sip,
    media: ingest.stats.media,
    malformed: ingest.stats.malformed,
    rejected: ingest.stats.rejected as Record<string, number>,
    deadLetters: dlqs.reduce((n, t) => n + bus.written(t), 0),
    deadLettersKept: dlqs.reduce((n, t) => n + bus.read(t).length, 0),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    ...(ingest.stats.firstMs !== undefined && ingest.stats.lastMs !== undefined ? { span: { firstMs: ingest.stats.firstMs, lastMs: ingest.stats.lastMs } } : {}),
  };
}
