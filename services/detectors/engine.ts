// The detector engine: per detector and key, event-time sliding windows of counters; a detector's
// pure evaluate step decides; the engine suppresses repeats and evicts idle keys. One engine holds
// the state of one partition, so state moves with the partition (see docs/state.md).
import { stableId } from '../core/ids';
import type { Finding } from '../core/records';
import { SlidingCounter } from '../core/sliding-window';
import { toIso } from '../core/clock';
import { isSipFlow, type AnyDetector, type CommonSettings, type FlowRecord, type Observation, type WindowView } from './definition';
import { DistinctWindow } from './distinct-window';
import { DEFAULT_GATE, HeavyHitterGate, type GateOptions } from './heavy-hitter-gate';

const SEVERITY_SCORE = { low: 21, medium: 47, high: 73, critical: 99 } as const;
const EVIDENCE_SAMPLES = 10;

interface KeyState {
  counters: Map<string, SlidingCounter>;
  /** created on first use: most detectors count and never keep values */
  sets?: Map<string, DistinctWindow>;
  proven: SlidingCounter;
  total: SlidingCounter;
  evidence: string[];
  firstSeen: number;
  lastSeen: number;
  suppressedUntil: number;
}

interface Slot {
  detector: AnyDetector;
  /** the dataset of the records it reads */
  dataset: FlowRecord['event']['dataset'];
  settings: CommonSettings;
  keys: Map<string, KeyState>;
  /** created when the detector first holds `admissionSoftLimit` keys (a flood of new sources) */
  gate?: HeavyHitterGate;
}

export interface EngineLimits {
  /** per detector; beyond it the least recently seen key is evicted (and counted) */
  maxKeysPerDetector: number;
  /** per key and set of distinct values; beyond it the least recently seen value is dropped (and counted) */
  maxDistinctValues: number;
  /**
   * per detector; past it a new key gets state only once the heavy-hitter sketch estimates it sent
   * `sketch.minRecords` records recently, so forged one-packet sources cannot crowd out real flooders
   */
  admissionSoftLimit: number;
  sketch: GateOptions;
}

export interface EngineStats {
  records: number;
  findings: number;
  evictedKeys: number;
  /** values dropped from full distinct sets: non-zero means some set saturated at its bound */
  droppedDistinctValues: number;
  /** records of new keys refused state while a detector was over its soft limit (their key was not yet a heavy hitter) */
  admissionsRefused: number;
  liveKeys: number;
  /** memory of the heavy-hitter sketches in use: fixed per detector under pressure, whatever the number of sources */
  sketchBytes: number;
}

export class DetectorEngine {
  private readonly slots: Slot[];
  private readonly limits: EngineLimits;
  private watermark = 0;
  private lastSweep = 0;
  private readonly stats = { records: 0, findings: 0, evictedKeys: 0, droppedDistinctValues: 0, admissionsRefused: 0 };

  constructor(
    active: Array<{ detector: AnyDetector; settings: CommonSettings }>,
    limits: Partial<Omit<EngineLimits, 'sketch'>> & { sketch?: Partial<GateOptions> } = {},
  ) {
    this.slots = active.filter((a) => a.settings.enabled).map((a) => ({ ...a, dataset: a.detector.dataset ?? 'sip.flow', keys: new Map() }));
    const maxKeysPerDetector = limits.maxKeysPerDetector ?? 200_000;
    this.limits = {
      maxKeysPerDetector,
      maxDistinctValues: limits.maxDistinctValues ?? 1000,
      admissionSoftLimit: limits.admissionSoftLimit ?? Math.floor(maxKeysPerDetector / 2),
      sketch: { ...DEFAULT_GATE, ...limits.sketch },
    };
  }

  /** Event time up to which this engine has seen records (epoch ms). */
  eventTime(): number {
    return this.watermark;
  }

  /** How far back (ms of event time) the state reaches: what a new owner must re-read to rebuild it. */
  retentionMs(): number {
    let max = 0;
    // a window is kept in buckets of a tenth of its length, so it may reach one bucket further
    // back; one more second covers the per-second granularity of commit marks
    for (const s of this.slots) max = Math.max(max, s.settings.window_seconds * 1100 + s.settings.suppress_seconds * 1000 + 1000);
    return max;
  }

  /** `t` is the record's event time when the caller has already parsed it. */
  process(record: FlowRecord, t = Date.parse(record['@timestamp'])): Finding[] {
    this.stats.records++;
    if (t > this.watermark) this.watermark = t;
    let out: Finding[] | undefined;
    for (const slot of this.slots) {
      if (slot.dataset !== record.event.dataset) continue;
      const key = slot.detector.keyOf(record, slot.settings);
      if (key === undefined) continue;
      const observation = slot.detector.observe(record, slot.settings);
      if (!observation) continue;
      const finding = this.observe(slot, key, t, record, observation);
      if (finding) (out ??= []).push(finding);
    }
    if (this.watermark - this.lastSweep > 1000) this.sweep();
    return out ?? [];
  }

  snapshot(): EngineStats {
    let liveKeys = 0;
    let sketchBytes = 0;
    for (const s of this.slots) {
      liveKeys += s.keys.size;
      sketchBytes += s.gate?.bytes ?? 0;
    }
    return { ...this.stats, liveKeys, sketchBytes };
  }

  private observe(slot: Slot, key: string, t: number, record: FlowRecord, observation: Observation): Finding | undefined {
    const windowMs = slot.settings.window_seconds * 1000;
    let state = slot.keys.get(key);
    if (!state) {
      if (slot.keys.size >= this.limits.admissionSoftLimit) {
        slot.gate ??= new HeavyHitterGate(this.limits.sketch);
        if (!slot.gate.admit(key, t)) {
          this.stats.admissionsRefused++;
          return undefined;
        }
      }
      if (slot.keys.size >= this.limits.maxKeysPerDetector) this.evictOldest(slot);
      state = {
        counters: new Map(),
        proven: new SlidingCounter(windowMs),
        total: new SlidingCounter(windowMs),
        evidence: [],
        firstSeen: t,
        lastSeen: t,
        suppressedUntil: 0,
      };
      slot.keys.set(key, state);
    } else {
      // re-insert: Map order doubles as least-recently-seen order for eviction
      slot.keys.delete(key);
      slot.keys.set(key, state);
    }
    if (t - state.lastSeen > windowMs) {
      state.firstSeen = t;
      state.evidence.length = 0;
    }
    state.lastSeen = Math.max(state.lastSeen, t);
    state.total.add(t);
    state.proven.add(t, proven(record) ? 1 : 0);
    if (state.evidence.length < EVIDENCE_SAMPLES) state.evidence.push(record.event.id);
    else state.evidence[state.evidence.length - 1] = record.event.id;

    const counts: Record<string, number> = {};
    for (const [name, n] of Object.entries(observation.count ?? {})) {
      let c = state.counters.get(name);
      if (!c) state.counters.set(name, (c = new SlidingCounter(windowMs)));
      c.add(t, n);
    }
    for (const [name, c] of state.counters) counts[name] = c.countAt(t);
    const distinct: Record<string, number> = {};
    for (const [name, value] of Object.entries(observation.distinct ?? {})) {
      const sets = (state.sets ??= new Map());
      let set = sets.get(name);
      if (!set) sets.set(name, (set = new DistinctWindow(windowMs, this.limits.maxDistinctValues)));
      if (set.add(t, value)) this.stats.droppedDistinctValues++;
    }
    for (const [name, value] of Object.entries(observation.forget ?? {})) state.sets?.get(name)?.delete(value);
    const sets = state.sets;
    if (sets) for (const [name, set] of sets) distinct[name] = set.size(t);

    if (t < state.suppressedUntil) return undefined;
    const view: WindowView = {
      key,
      counts,
      distinct,
      sample: observation.sample ?? {},
      has: (set, value) => sets?.get(set)?.has(t, value) ?? false,
      windowSeconds: slot.settings.window_seconds,
    };
    const verdict = slot.detector.evaluate(view, slot.settings);
    if (!verdict) return undefined;
    state.suppressedUntil = t + slot.settings.suppress_seconds * 1000;
    this.stats.findings++;
    const severity = verdict.severity ?? slot.settings.severity;
    const d = slot.detector;
    const windowStart = Math.max(state.firstSeen, t - windowMs);
    return {
      '@timestamp': toIso(t),
      event: { id: stableId(d.id, key, t), kind: 'alert', dataset: 'callsentry.finding', severity: SEVERITY_SCORE[severity] },
      rule: { id: d.id, name: d.name, description: verdict.reason, category: d.category },
      severity,
      key: { type: d.keyType, value: key },
      window: { start: toIso(windowStart), end: toIso(t), seconds: slot.settings.window_seconds },
      counts: { ...verdict.counts, records: state.total.countAt(t) },
      evidence: { record_ids: [...state.evidence] },
      labels: { ...d.labels },
      remediation: d.remediation,
      first_seen: toIso(state.firstSeen),
      last_seen: toIso(t),
      source_proven: state.proven.countAt(t) >= state.total.countAt(t),
      ...(record.organization ? { organization: record.organization } : {}),
    };
  }

  /** Drops keys idle for longer than their window and suppression: memory follows live traffic. */
  private sweep(): void {
    this.lastSweep = this.watermark;
    for (const slot of this.slots) {
      const idleMs = (slot.settings.window_seconds + slot.settings.suppress_seconds) * 1000;
      for (const [key, state] of slot.keys) {
        // Map order is least recently seen first: stop at the first live key
        if (this.watermark - state.lastSeen <= idleMs) break;
        slot.keys.delete(key);
      }
    }
  }

  private evictOldest(slot: Slot): void {
    const oldest = slot.keys.keys().next();
    if (!oldest.done) {
      slot.keys.delete(oldest.value);
      this.stats.evictedKeys++;
    }
  }
}

/**
 * Whether the sender of a record proved it receives our packets: as the collector judged a SIP
 * transaction; for media, a relay allocation (TURN authenticates with our nonce), never bare RTP.
 */
function proven(r: FlowRecord): boolean {
  if (isSipFlow(r)) return r.sip.source_proven === true;
  // garbage over a connection-oriented transport came from its address; over UDP it may be forged
  if (r.event.dataset === 'sip.malformed') return r.network.transport !== 'udp';
  return 'media' in r && r.media.relay?.user !== undefined;
}
