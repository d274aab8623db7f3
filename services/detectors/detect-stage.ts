// The detectors as a stage: SIP flows in, findings out (keyed by the finding's key). Source-keyed
// detectors read flows.sip.v1 (keyed by source address), account-keyed ones flows.sip.by-account.v1
// (keyed by the charged account), so every key's records meet on one partition; relay detectors
// read flows.media.v1 (keyed by source address). One engine per
// partition, so state follows partition ownership; commits lag by the state's retention so that a
// new owner rebuilds it (core/watermark.ts).
import { encode } from '../core/codec';
import type { Finding } from '../core/records';
import type { StageDefinition } from '../core/stage';
import { CommitWatermark } from '../core/watermark';
import type { Topics } from '../core/topics';
import type { MetricsRegistry } from '../core/metrics';
import { DetectorEngine } from './engine';
import { SourceStanding } from './source-standing';
import { isSipFlow, type AnyDetector, type CommonSettings, type FlowRecord } from './definition';

export type DetectInput = 'source' | 'account' | 'media';

const INPUT_TOPIC = { source: 'flows.sip.v1', account: 'flows.sip.by-account.v1', media: 'flows.media.v1' } as const;

/** Which detectors an input runs: media ones on media flows; SIP ones by the key they partition on. */
export function runsOn(by: DetectInput, d: AnyDetector): boolean {
  if ((d.dataset ?? 'sip.flow') === 'media.flow') return by === 'media';
  return by !== 'media' && (d.keyType === 'account') === (by === 'account');
}

export interface DetectStageOptions {
  topics: Topics;
  /** which partitioning this stage reads; it runs the detectors keyed that way (default source) */
  input?: DetectInput;
  groupId?: string;
  detectors: Array<{ detector: AnyDetector; settings: CommonSettings }>;
  metrics: MetricsRegistry;
  /** called with every finding as it is produced (tests, console) */
  onFinding?: (f: Finding) => void;
}

export function detectStage(opts: DetectStageOptions): StageDefinition {
  const by = opts.input ?? 'source';
  const input = opts.topics.name(INPUT_TOPIC[by]);
  const output = opts.topics.name('findings.v1');
  const detectors = opts.detectors.filter((a) => runsOn(by, a.detector));
  const partitions = new Map<number, { engine: DetectorEngine; watermark: CommitWatermark; standing: SourceStanding; next: bigint }>();
  const findings = opts.metrics.counter('callsentry_findings_total', 'Findings produced, by detector');
  const liveKeys = opts.metrics.gauge('callsentry_detector_live_keys', 'Keys held in detector windows, by partition');
  const evaluation = opts.metrics.histogram('callsentry_detector_evaluation_seconds', 'Time the detectors take over one batch (decode, windows, evaluation), by input topic');

  const stateOf = (p: number) => {
    let s = partitions.get(p);
    if (!s) partitions.set(p, (s = { engine: new DetectorEngine(detectors), watermark: new CommitWatermark(), standing: new SourceStanding(), next: -1n }));
    return s;
  };

  return {
    name: `detect-${by}`,
    groupId: opts.groupId ?? opts.topics.group(`detect-${by}`),
    topics: [input],
    onRevoked: (_topic, lost) => {
      for (const p of lost) partitions.delete(p);
    },
    process(batch, ctx) {
      const started = performance.now();
      const state = stateOf(batch.partition);
      const { engine, watermark, standing } = state;
      for (const m of batch.messages) {
        // already in this engine's windows: a re-delivery after a rebalance (kafkajs re-fetches
        // from the committed offset) must not count a record twice
        if (BigInt(m.offset) < state.next) continue;
        const record = ctx.decode<FlowRecord>(m);
        if (!record) continue;
        const t = Date.parse(record['@timestamp']);
        const shaped =
          by === 'media' ? 'media' in record && record.media !== undefined : ('sip' in record && record.sip !== undefined) || (by === 'source' && record.event?.dataset === 'sip.malformed');
        if (!Number.isFinite(t) || !shaped || !record.source) {
          ctx.deadLetter(m, 'BAD_RECORD', by === 'media' ? 'not a media flow record' : 'not a SIP flow record');
          continue;
        }
        watermark.observe(t, m.offset);
        if (by === 'source' && isSipFlow(record)) standing.observe(record, t);
        for (const f of engine.process(record, t)) {
          // standing speaks of the record's sender, not of a destination or relay peer key
          if (f.key.type === 'ip' && f.key.value === record.source.ip) f.source_established = standing.established(f.key.value, t);
          findings.inc({ detector: f.rule.id });
          ctx.emit(output, encode(f.key.value, f, t));
          opts.onFinding?.(f);
        }
      }
      liveKeys.set({ partition: String(batch.partition) }, engine.statistics().liveKeys);
      evaluation.observe({ input: by }, (performance.now() - started) / 1000);
      const last = BigInt(batch.messages[batch.messages.length - 1].offset) + 1n;
      if (last > state.next) state.next = last;
      return { commitOffset: watermark.commitOffset(engine.eventTime(), engine.retentionMs(), String(state.next)) };
    },
  };
}
