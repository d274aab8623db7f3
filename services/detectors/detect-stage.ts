// The detectors as a stage: SIP flows in, findings out (keyed by the finding's key). Source-keyed
// detectors read flows.sip.v1 (keyed by the source address's /24 or /48, so a network's records meet too), account-keyed ones flows.sip.by-account.v1
// (keyed by the charged account), so every key's records meet on one partition; relay detectors
// read flows.media.v1 (keyed by source address); destination-keyed aggregates read
// flows.sip.by-destination.v1 (unproven requests keyed by destination address). One engine per
// partition, so state follows partition ownership.
//
// State is checkpointed as Kafka Streams does with changelogs: every few seconds or N records the
// stage writes a snapshot of a partition's engine to a compacted state topic, keyed by partition,
// and commits the input offset that snapshot covers. A new owner loads the snapshot and re-reads
// only what came after it. A missing or unusable snapshot falls back to re-reading the window
// (docs/state.md); the stage never stops for one.
import { encode } from '../core/codec';
import type { Finding } from '../core/records';
import type { StageContext, StageDefinition } from '../core/stage';
import type { BatchResult, BusBatch } from '../core/ports';
import { CommitWatermark } from '../core/watermark';
import type { Topics } from '../core/topics';
import type { MetricsRegistry } from '../core/metrics';
import { DetectorEngine } from './engine';
import { SourceStanding } from './source-standing';
import { isSipFlow, type AnyDetector, type CommonSettings, type FlowRecord } from './definition';
import { decodeSnapshot, encodeSnapshot, SnapshotRefused, type RefusalReason } from './state-snapshot';

export type DetectInput = 'source' | 'account' | 'media' | 'destination';

export const DETECT_INPUTS: readonly DetectInput[] = ['source', 'account', 'media', 'destination'];

const INPUT_TOPIC = { source: 'flows.sip.v1', account: 'flows.sip.by-account.v1', media: 'flows.media.v1', destination: 'flows.sip.by-destination.v1' } as const;
const STATE_TOPIC = { source: 'state.detect-source.v1', account: 'state.detect-account.v1', media: 'state.detect-media.v1', destination: 'state.detect-destination.v1' } as const;

/** Which detectors an input runs: media ones on media flows; SIP ones by the key they partition on. */
export function runsOn(by: DetectInput, d: AnyDetector): boolean {
  if ((d.dataset ?? 'sip.flow') === 'media.flow') return by === 'media';
  if (d.partitionBy === 'destination') return by === 'destination';
  return by !== 'media' && by !== 'destination' && (d.keyType === 'account') === (by === 'account');
}

export interface SnapshotPolicy {
  /** a partition's snapshot is written after this many of its records ... */
  everyRecords: number;
  /** ... or this long (wall clock) after its last one, whichever comes first; 0: by records only */
  everySeconds: number;
  /** larger snapshots are neither written nor loaded (the stage falls back to re-reading) */
  maxBytes: number;
}

export const DEFAULT_SNAPSHOTS: SnapshotPolicy = { everyRecords: 10_000, everySeconds: 5, maxBytes: 64 * 1024 * 1024 };

export interface DetectStageOptions {
  topics: Topics;
  /** which partitioning this stage reads; it runs the detectors keyed that way (default source) */
  input?: DetectInput;
  groupId?: string;
  detectors: Array<{ detector: AnyDetector; settings: CommonSettings }>;
  metrics: MetricsRegistry;
  snapshots?: Partial<SnapshotPolicy>;
  /** called with every finding as it is produced (tests, console) */
  onFinding?: (f: Finding) => void;
  /** wall clock for the snapshot interval (tests) */
  now?: () => number;
}

interface PartitionState {
  engine: DetectorEngine;
  standing: SourceStanding;
  /** commit marks by event time: the fallback when no snapshot covers the state yet */
  watermark: CommitWatermark;
  /** offset after the last record in the engine: re-deliveries below it are skipped */
  next: bigint;
  /** offset the newest written (or loaded) snapshot covers; -1 when none */
  covered: bigint;
  sinceSnapshot: number;
  snapshotAt: number;
  /** set when the partition was taken over, until its first record after the restore is processed */
  takeover?: { since: number; how: string };
}

export function detectStage(opts: DetectStageOptions): StageDefinition {
  const by = opts.input ?? 'source';
  const input = opts.topics.name(INPUT_TOPIC[by]);
  const stateTopic = opts.topics.name(STATE_TOPIC[by]);
  const output = opts.topics.name('findings.v1');
  const policy = { ...DEFAULT_SNAPSHOTS, ...opts.snapshots };
  const now = opts.now ?? Date.now;
  const detectors = opts.detectors.filter((a) => runsOn(by, a.detector));
  const groupId = opts.groupId ?? opts.topics.group(`detect-${by}`);
  // keyed by group and partition: groups that share the topic (tests, a second pipeline) never mix
  const snapshotKey = (p: number) => `${groupId}/${p}`;
  const partitions = new Map<number, PartitionState>();
  const m = opts.metrics;
  const findings = m.counter('callsentry_findings_total', 'Findings produced, by detector');
  const liveKeys = m.gauge('callsentry_detector_live_keys', 'Keys held in detector windows, by partition');
  const evaluation = m.histogram('callsentry_detector_evaluation_seconds', 'Time the detectors take over one batch (decode, windows, evaluation), by input topic');
  const snapshots = m.counter('callsentry_detector_snapshots_total', 'Snapshots of a partition engine, by input and outcome (written, oversized)');
  const snapshotSeconds = m.histogram('callsentry_detector_snapshot_seconds', 'Time to export and encode a partition snapshot, by input');
  const snapshotBytes = m.gauge('callsentry_detector_snapshot_bytes', 'Size of the last snapshot written, by input and partition');
  const restores = m.counter('callsentry_detector_restores_total', 'Partitions taken over, by input and how their state came back (snapshot, fresh, fallback) and why');
  const restoreSeconds = m.histogram('callsentry_detector_restore_seconds', 'Time from a partition batch without state to its state loaded, by input');
  const takeoverSeconds = m.histogram('callsentry_detector_takeover_seconds', 'Time from a partition batch without state to its first record processed after the restore (re-reads included), by input and how the state came back');

  const fresh = (): PartitionState => ({
    engine: new DetectorEngine(detectors),
    standing: new SourceStanding(),
    watermark: new CommitWatermark(),
    next: -1n,
    covered: -1n,
    sinceSnapshot: 0,
    snapshotAt: now(),
  });

  /** State for a partition this member has just been given; or where to re-read from to rebuild it. */
  async function restore(batch: BusBatch, ctx: StageContext): Promise<{ state: PartitionState; rewindTo?: bigint }> {
    const started = performance.now();
    const first = BigInt(batch.messages[0].offset);
    const state = fresh();
    let message;
    try {
      message = await ctx.latestState(stateTopic, snapshotKey(batch.partition));
    } catch (err) {
      return fallback('unreadable', (err as Error).message);
    }
    if (!message) {
      // a partition nobody has processed yet needs nothing; one read before needs its window
      if (first === 0n) return done('fresh');
      return fallback('missing', `no snapshot for a partition committed up to offset ${first}`);
    }
    try {
      const snap = decodeSnapshot(message.value, { topic: input, partition: batch.partition, maxBytes: policy.maxBytes });
      try {
        state.engine.importState(snap.engine);
        state.standing.importState(snap.standing);
      } catch (err) {
        throw new SnapshotRefused('incompatible', (err as Error).message);
      }
      state.next = state.covered = BigInt(snap.offset);
      state.takeover = { since: started, how: 'snapshot' };
      restores.inc({ input: by, outcome: 'snapshot', reason: '' });
      restoreSeconds.observe({ input: by }, (performance.now() - started) / 1000);
      // records between the snapshot and the committed offset are not in the state: read them
      return state.covered < first ? { state, rewindTo: state.covered } : { state };
    } catch (err) {
      const reason: RefusalReason = err instanceof SnapshotRefused ? err.reason : 'corrupt';
      return fallback(reason, (err as Error).message);
    }

    function done(outcome: string, reason = ''): { state: PartitionState } {
      state.takeover = { since: started, how: outcome };
      restores.inc({ input: by, outcome, reason });
      restoreSeconds.observe({ input: by }, (performance.now() - started) / 1000);
      return { state };
    }

    async function fallback(reason: string, detail: string): Promise<{ state: PartitionState; rewindTo?: bigint }> {
      // re-read the window: from where the bus holds records that old, by their timestamps
      const back = batch.messages[0].timestamp - state.engine.retentionMs();
      const from = await ctx.offsetAt(input, batch.partition, back).catch(() => undefined);
      const rewindTo = from !== undefined && BigInt(from) < first ? BigInt(from) : undefined;
      ctx.log.warn(
        { topic: input, partition: batch.partition, reason, detail, rereadFrom: rewindTo?.toString() ?? batch.messages[0].offset },
        'detector state not restored from a snapshot; rebuilding it by re-reading the window',
      );
      done('fallback', reason);
      return rewindTo !== undefined ? { state, rewindTo } : { state };
    }
  }

  /** Writes a snapshot when one is due; returns the offset to commit. */
  function checkpoint(p: number, state: PartitionState, ctx: StageContext): string {
    const due = state.sinceSnapshot >= policy.everyRecords || (policy.everySeconds > 0 && now() - state.snapshotAt >= policy.everySeconds * 1000);
    if (due && state.covered !== state.next) {
      const started = performance.now();
      const value = encodeSnapshot({
        topic: input,
        partition: p,
        offset: state.next.toString(),
        writtenAt: now(),
        engine: state.engine.exportState(),
        standing: state.standing.exportState(),
      });
      snapshotSeconds.observe({ input: by }, (performance.now() - started) / 1000);
      state.sinceSnapshot = 0;
      state.snapshotAt = now();
      if (value.length > policy.maxBytes) {
        snapshots.inc({ input: by, outcome: 'oversized' });
        ctx.log.warn({ topic: input, partition: p, bytes: value.length, maxBytes: policy.maxBytes }, 'detector snapshot too large; not written, offsets commit back to the window instead');
      } else {
        // sent with the batch's other outputs, before its offset is committed
        ctx.emit(stateTopic, { key: snapshotKey(p), value });
        snapshots.inc({ input: by, outcome: 'written' });
        snapshotBytes.set({ input: by, partition: String(p) }, value.length);
        state.covered = state.next;
      }
    }
    const byWindow = state.watermark.commitOffset(state.engine.eventTime(), state.engine.retentionMs(), state.next.toString());
    // a snapshot covers everything before its offset; without one, commit back to the window
    return state.covered >= 0n && state.covered >= BigInt(byWindow) ? state.covered.toString() : byWindow;
  }

  /** The first record after a restore: how long the new owner took to get back to work. */
  function tookOver(p: number, t: { since: number; how: string }, offset: string, ctx: StageContext): void {
    const seconds = (performance.now() - t.since) / 1000;
    takeoverSeconds.observe({ input: by, restored: t.how }, seconds);
    ctx.log.info({ topic: input, partition: p, restored: t.how, offset, takeoverMs: Math.round(seconds * 1000) }, 'partition taken over: first record after the restore processed');
  }

  return {
    name: `detect-${by}`,
    groupId,
    topics: [input],
    stateTopics: [stateTopic],
    onRevoked: (_topic, lost) => {
      for (const p of lost) partitions.delete(p);
    },
    async process(batch, ctx): Promise<BatchResult> {
      let state = partitions.get(batch.partition);
      if (!state) {
        const restored = await restore(batch, ctx);
        state = restored.state;
        partitions.set(batch.partition, state);
        if (restored.rewindTo !== undefined) return { rewindTo: restored.rewindTo.toString() };
      }
      const started = performance.now();
      const { engine, watermark, standing } = state;
      let processed = 0;
      for (const msg of batch.messages) {
        // already in this engine's windows: a re-delivery (kafkajs re-fetches from the committed
        // offset after a rebalance) must not count a record twice
        if (BigInt(msg.offset) < state.next) continue;
        processed++;
        if (state.takeover) {
          tookOver(batch.partition, state.takeover, msg.offset, ctx);
          state.takeover = undefined;
        }
        const record = ctx.decode<FlowRecord>(msg);
        if (!record) continue;
        const t = Date.parse(record['@timestamp']);
        const shaped =
          by === 'media' ? 'media' in record && record.media !== undefined : ('sip' in record && record.sip !== undefined) || (by === 'source' && record.event?.dataset === 'sip.malformed');
        if (!Number.isFinite(t) || !shaped || !record.source) {
          ctx.deadLetter(msg, 'BAD_RECORD', by === 'media' ? 'not a media flow record' : 'not a SIP flow record');
          continue;
        }
        watermark.observe(t, msg.offset);
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
      const last = BigInt(batch.messages[batch.messages.length - 1].offset) + 1n;
      if (last > state.next) state.next = last;
      state.sinceSnapshot += processed;
      const commitOffset = checkpoint(batch.partition, state, ctx);
      evaluation.observe({ input: by }, (performance.now() - started) / 1000);
      return { commitOffset };
    },
  };
}
