// The detector engine: per detector, horizon and key, event-time windows of counters and distinct
// sets in constant memory; a detector's pure evaluate step decides; the engine suppresses repeats,
// evicts idle keys, and can export and import its whole state (the detect stage's snapshots). One
// engine holds the state of one partition, so state moves with the partition (docs/state.md).
//
// The hot path allocates nothing per record beyond what a detector's observe returns: a record is
// offered only to the detectors of its dataset and method (an index built once), counters of a key
// share one typed-array ring, and the view handed to evaluate is reused.
import { stableId } from '../core/ids';
import type { Finding, Remediation } from '../core/records';
import { CounterRing, type RingState } from '../core/counter-ring';
import { toIso } from '../core/clock';
import { isSipFlow, type AnyDetector, type CommonSettings, type FlowRecord, type Observation, type WindowView } from './definition';
import { WindowedDistinct, type DistinctOptions, type DistinctState } from './windowed-distinct';
import { DEFAULT_GATE, HeavyHitterGate, type GateOptions } from './heavy-hitter-gate';
import { horizonsOf } from './horizons';

const SEVERITY_SCORE = { low: 21, medium: 47, high: 73, critical: 99 } as const;
const EVIDENCE_SAMPLES = 10;
/** evidence.observed bounds (the finding schema's): sets per finding, values per set, characters per value */
const OBSERVED_SETS = 8;
const OBSERVED_VALUES = 20;
const OBSERVED_LENGTH = 128;
const BUCKETS = 10;
/** columns 0 and 1 of every ring: all records of the key, and those from a proven sender */
const TOTAL = 0;
const PROVEN = 1;
/** counter and set names a detector may use (its vocabulary); more fold into 'other' */
const MAX_NAMES = 256;
const NO_SAMPLE: Readonly<Record<string, string>> = Object.freeze({});
/** keys each lane's sweep visits per second of event time */
const SWEEP_SLICE = 4096;

interface KeyState {
  ring: CounterRing;
  /** by set column; created on first use: most detectors count and never keep values */
  sets: Array<WindowedDistinct | undefined> | undefined;
  evidence: string[];
  firstSeen: number;
  lastSeen: number;
  suppressedUntil: number;
  /** severity score of the finding that set suppressedUntil, +0.5 when proven: a graver verdict of an escalating detector passes */
  suppressedScore: number;
}

/** A detector's names of counters and sets, mapped once to ring and set columns. */
class Vocabulary {
  readonly counters = new Map<string, number>();
  readonly sets = new Map<string, number>();
  /** column -> name, for filling views without iterating a Map */
  readonly counterNames: string[] = ['\0total', '\0proven'];
  readonly setNames: string[] = [];
  folded = 0;

  constructor() {
    this.counters.set(this.counterNames[TOTAL], TOTAL).set(this.counterNames[PROVEN], PROVEN);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? this.add(this.counters, this.counterNames, name, 2);
  }

  set(name: string): number {
    return this.sets.get(name) ?? this.add(this.sets, this.setNames, name, 0);
  }

  /** Restores names in column order (a snapshot's); false when they repeat. */
  restore(counters: unknown[], sets: unknown[]): boolean {
    for (const n of counters.slice(2)) this.add(this.counters, this.counterNames, String(n), 2);
    for (const n of sets) this.add(this.sets, this.setNames, String(n), 0);
    return this.counterNames.length === counters.length && this.setNames.length === sets.length;
  }

  private add(map: Map<string, number>, names: string[], name: string, reserved: number): number {
    const known = map.get(name);
    if (known !== undefined) return known;
    if (names.length - reserved >= MAX_NAMES) {
      // names come from records (methods, rooms): past the bound they share one column
      this.folded++;
      const other = map.get('other');
      if (other !== undefined) return other;
      name = 'other';
    }
    map.set(name, names.length);
    names.push(name);
    return names.length - 1;
  }
}

/** One horizon of one detector: its own keys, windows and suppression. */
interface Lane {
  horizon: string | undefined;
  settings: CommonSettings;
  remediation: Remediation;
  ruleId: string;
  windowMs: number;
  bucketMs: number;
  suppressMs: number;
  keys: Map<string, KeyState>;
  /** created when the lane first holds `admissionSoftLimit` keys (a flood of new sources) */
  gate?: HeavyHitterGate;
  distinct: DistinctOptions;
  /** reused for every evaluation of this lane */
  view: LaneView;
  /** where the incremental sweep goes on */
  cursor?: IterableIterator<[string, KeyState]>;
}

interface Slot {
  readonly detector: AnyDetector;
  readonly settings: CommonSettings;
  readonly lanes: Lane[];
  vocabulary: Vocabulary;
}

export interface EngineLimits {
  /** per detector and horizon; beyond it the least recently seen key is evicted (and counted) */
  maxKeysPerDetector: number;
  /** per key and set: distinct values held exactly; past it the set becomes a HyperLogLog sketch */
  maxDistinctValues: number;
  /** log2 of a sketch's registers per bucket (9: 512 registers, 4.6 % standard error) */
  sketchPrecision: number;
  /**
   * per detector and horizon; past it a new key gets state only once the heavy-hitter sketch
   * estimates it sent `sketch.minRecords` records recently, so forged one-packet sources cannot
   * crowd out real flooders
   */
  admissionSoftLimit: number;
  sketch: GateOptions;
}

export interface EngineStats {
  records: number;
  findings: number;
  evictedKeys: number;
  /** distinct sets that passed their exact bound and are now estimated by a sketch */
  sketchedSets: number;
  /** records of new keys refused state while a detector was over its soft limit (their key was not yet a heavy hitter) */
  admissionsRefused: number;
  /** counter or set names past a detector's vocabulary bound, counted under 'other' */
  foldedNames: number;
  liveKeys: number;
  /** memory of the heavy-hitter sketches in use: fixed per detector under pressure, whatever the number of sources */
  sketchBytes: number;
}

/** What exportState returns: plain JSON, checked field by field on import. */
export interface EngineState {
  watermark: number;
  lastSweep: number;
  stats: { records: number; findings: number; evictedKeys: number; sketchedSets: number; admissionsRefused: number };
  /** by lane, in the engine's lane order; each lane names its detector and horizon */
  lanes: Array<{
    detector: string;
    horizon: string | null;
    windowMs: number;
    counters: string[];
    sets: string[];
    gate?: ReturnType<HeavyHitterGate['toJSON']>;
    /** key, first seen, last seen, suppressed until, evidence, ring, sets, and the suppressed finding's severity score (absent in older snapshots) */
    keys: Array<[string, number, number, number, string[], RingState, Array<[number, DistinctState]>, number?]>;
  }>;
}

export class DetectorEngine {
  private readonly slots: Slot[];
  private readonly lanes: Lane[];
  /** dataset -> method (upper case) -> the slots that read it; '' holds those reading every method */
  private readonly index = new Map<string, Map<string, Slot[]>>();
  private readonly limits: EngineLimits;
  private watermark = 0;
  private lastSweep = 0;
  private sinceSweep = 0;
  private readonly stats = { records: 0, findings: 0, evictedKeys: 0, sketchedSets: 0, admissionsRefused: 0 };

  constructor(
    active: Array<{ detector: AnyDetector; settings: CommonSettings }>,
    limits: Partial<Omit<EngineLimits, 'sketch'>> & { sketch?: Partial<GateOptions> } = {},
  ) {
    const maxKeysPerDetector = limits.maxKeysPerDetector ?? 200_000;
    this.limits = {
      maxKeysPerDetector,
      maxDistinctValues: limits.maxDistinctValues ?? 128,
      sketchPrecision: limits.sketchPrecision ?? 9,
      admissionSoftLimit: limits.admissionSoftLimit ?? Math.floor(maxKeysPerDetector / 2),
      sketch: { ...DEFAULT_GATE, ...limits.sketch },
    };
    this.slots = active
      .filter((a) => a.settings.enabled)
      .map(({ detector, settings }) => {
        const lanes = horizonsOf(settings).map((h) => this.lane(detector, h.name, h.settings, h.remediation ?? detector.remediation));
        return { detector, settings, lanes, vocabulary: new Vocabulary() };
      });
    this.lanes = this.slots.flatMap((s) => s.lanes);
    for (const slot of this.slots) {
      const dataset = slot.detector.dataset ?? 'sip.flow';
      let byMethod = this.index.get(dataset);
      if (!byMethod) this.index.set(dataset, (byMethod = new Map([['', []]])));
      for (const m of slot.detector.methods ?? ['']) {
        if (!byMethod.has(m)) byMethod.set(m, []);
      }
    }
    // every method list also holds the detectors that read every method, in registry order
    for (const [dataset, byMethod] of this.index) {
      for (const [method, list] of byMethod) {
        for (const slot of this.slots) {
          if ((slot.detector.dataset ?? 'sip.flow') !== dataset) continue;
          const methods = slot.detector.methods;
          if (methods === undefined || (method !== '' && methods.includes(method))) list.push(slot);
        }
      }
    }
  }

  /** Event time up to which this engine has seen records (epoch ms). */
  eventTime(): number {
    return this.watermark;
  }

  /** How far back (ms of event time) the state reaches: what a rebuild from records must re-read. */
  retentionMs(): number {
    let max = 0;
    // a window is kept in buckets of a tenth of its length, so it may reach one bucket further
    // back; one more second covers the per-second granularity of commit marks
    for (const l of this.lanes) max = Math.max(max, l.windowMs + l.bucketMs + l.suppressMs + 1000);
    return max;
  }

  /** `t` is the record's event time when the caller has already parsed it. */
  process(record: FlowRecord, t = Date.parse(record['@timestamp'])): Finding[] {
    this.stats.records++;
    if (t > this.watermark) this.watermark = t;
    let out: Finding[] | undefined;
    const slots = this.slotsFor(record);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const key = slot.detector.keyOf(record, slot.settings);
      if (key === undefined) continue;
      const observation = slot.detector.observe(record, slot.settings);
      if (!observation) continue;
      const isProven = proven(record);
      for (let j = 0; j < slot.lanes.length; j++) {
        const finding = this.observe(slot, slot.lanes[j], key, t, record, observation, isProven);
        if (finding) (out ??= []).push(finding);
      }
    }
    this.sinceSweep++;
    if (this.watermark - this.lastSweep > 1000) this.sweep();
    return out ?? NO_FINDINGS;
  }

  statistics(): EngineStats {
    let liveKeys = 0;
    let sketchBytes = 0;
    for (const l of this.lanes) {
      liveKeys += l.keys.size;
      sketchBytes += l.gate?.bytes ?? 0;
    }
    let foldedNames = 0;
    for (const s of this.slots) foldedNames += s.vocabulary.folded;
    return { ...this.stats, foldedNames, liveKeys, sketchBytes };
  }

  /** The whole state as JSON-able data: the detect stage's snapshot of a partition. */
  exportState(): EngineState {
    return {
      watermark: this.watermark,
      lastSweep: this.lastSweep,
      stats: { ...this.stats },
      lanes: this.slots.flatMap((slot) =>
        slot.lanes.map((lane) => ({
          detector: slot.detector.id,
          horizon: lane.horizon ?? null,
          windowMs: lane.windowMs,
          counters: slot.vocabulary.counterNames,
          sets: slot.vocabulary.setNames,
          ...(lane.gate ? { gate: lane.gate.toJSON() } : {}),
          keys: [...lane.keys].map(([key, s]) => [
            key,
            s.firstSeen,
            s.lastSeen,
            s.suppressedUntil,
            s.evidence,
            s.ring.toJSON(),
            (s.sets ?? []).flatMap((set, i): Array<[number, DistinctState]> => (set ? [[i, set.toJSON()]] : [])),
            s.suppressedScore,
          ]),
        })),
      ),
    };
  }

  /**
   * Replaces this engine's state with an exported one. Throws, leaving the engine empty, when the
   * state does not fit its detectors and horizons (another configuration) or is malformed.
   */
  importState(state: EngineState): void {
    try {
      this.load(state);
    } catch (err) {
      this.clear();
      throw err;
    }
  }

  private load(state: EngineState): void {
    this.clear();
    if (!Array.isArray(state.lanes) || state.lanes.length !== this.lanes.length) throw new Error(`state has ${state.lanes?.length} detector horizons, this engine ${this.lanes.length}`);
    let li = 0;
    for (const slot of this.slots) {
      for (const lane of slot.lanes) {
        const s = state.lanes[li++];
        if (s.detector !== slot.detector.id || (s.horizon ?? undefined) !== lane.horizon || s.windowMs !== lane.windowMs) {
          throw new Error(`state lane ${li - 1} is ${s.detector}/${s.horizon} over ${s.windowMs} ms, this engine's ${slot.detector.id}/${lane.horizon ?? null} over ${lane.windowMs} ms`);
        }
        // a detector's vocabulary is shared by its lanes: take it from the first one
        if (lane === slot.lanes[0] && !slot.vocabulary.restore(s.counters, s.sets)) throw new Error(`state of ${slot.detector.id} repeats a counter or set name`);
        if (s.gate) lane.gate = HeavyHitterGate.from(this.limits.sketch, s.gate);
        for (const [key, firstSeen, lastSeen, suppressedUntil, evidence, ring, sets, suppressedScore] of s.keys) {
          const ks: KeyState = {
            ring: CounterRing.from(lane.bucketMs, BUCKETS, ring),
            sets: undefined,
            evidence: evidence.map(String).slice(0, EVIDENCE_SAMPLES),
            firstSeen: Number(firstSeen),
            lastSeen: Number(lastSeen),
            suppressedUntil: Number(suppressedUntil),
            // older snapshots do not say: nothing escalates past their suppression
            suppressedScore: Number(suppressedScore ?? SEVERITY_SCORE.critical) || 0,
          };
          for (const [i, set] of sets) {
            if (!Number.isInteger(i) || i < 0 || i >= slot.vocabulary.sets.size) throw new Error(`set column ${i} out of range`);
            (ks.sets ??= [])[i] = WindowedDistinct.from(lane.distinct, set);
          }
          lane.keys.set(String(key), ks);
        }
      }
    }
    this.watermark = Number(state.watermark) || 0;
    this.lastSweep = Number(state.lastSweep) || 0;
    Object.assign(this.stats, state.stats);
  }

  private clear(): void {
    for (const l of this.lanes) {
      l.keys.clear();
      delete l.gate;
    }
    for (const s of this.slots) s.vocabulary = new Vocabulary();
    this.watermark = 0;
    this.lastSweep = 0;
  }

  private lane(detector: AnyDetector, horizon: string | undefined, settings: CommonSettings, remediation: Remediation): Lane {
    const windowMs = settings.window_seconds * 1000;
    const lane: Lane = {
      horizon,
      settings,
      remediation,
      ruleId: horizon === undefined ? detector.id : `${detector.id}@${horizon}`,
      windowMs,
      bucketMs: Math.max(1, Math.ceil(windowMs / BUCKETS)),
      suppressMs: settings.suppress_seconds * 1000,
      keys: new Map(),
      distinct: { windowMs, buckets: BUCKETS, exactMax: this.limits.maxDistinctValues, precision: this.limits.sketchPrecision },
      view: undefined as unknown as LaneView,
    };
    lane.view = new LaneView(settings.window_seconds);
    return lane;
  }

  private slotsFor(record: FlowRecord): Slot[] {
    const byMethod = this.index.get(record.event.dataset);
    if (!byMethod) return NO_SLOTS;
    if (byMethod.size > 1 && isSipFlow(record)) {
      const m = record.sip.method;
      const list = byMethod.get(m) ?? (m !== undefined ? byMethod.get(m.toUpperCase()) : undefined);
      if (list) return list;
    }
    return byMethod.get('')!;
  }

  private observe(slot: Slot, lane: Lane, key: string, t: number, record: FlowRecord, o: Observation, isProven: boolean): Finding | undefined {
    let state = lane.keys.get(key);
    if (!state) {
      if (o.ifKeyed) return undefined;
      if (lane.keys.size >= this.limits.admissionSoftLimit) {
        lane.gate ??= new HeavyHitterGate(this.limits.sketch);
        if (!lane.gate.admit(key, t)) {
          this.stats.admissionsRefused++;
          return undefined;
        }
      }
      if (lane.keys.size >= this.limits.maxKeysPerDetector) this.evictOldest(lane);
      state = { ring: new CounterRing(lane.bucketMs, BUCKETS, slot.vocabulary.counterNames.length), sets: undefined, evidence: [], firstSeen: t, lastSeen: t, suppressedUntil: 0, suppressedScore: 0 };
      lane.keys.set(key, state);
    }
    if (t - state.lastSeen > lane.windowMs) {
      state.firstSeen = t;
      state.evidence.length = 0;
    }
    if (t > state.lastSeen) state.lastSeen = t;
    const ring = state.ring;
    ring.advance(t);
    ring.add(t, TOTAL, 1);
    if (isProven) ring.add(t, PROVEN, 1);
    if (state.evidence.length < EVIDENCE_SAMPLES) state.evidence.push(record.event.id);
    else state.evidence[EVIDENCE_SAMPLES - 1] = record.event.id;

    const vocabulary = slot.vocabulary;
    if (o.count) for (const name in o.count) ring.add(t, vocabulary.counter(name), o.count[name]);
    if (o.distinct) {
      for (const name in o.distinct) {
        const sets = (state.sets ??= []);
        const c = vocabulary.set(name);
        let set = sets[c];
        if (!set) sets[c] = set = new WindowedDistinct(lane.distinct);
        if (set.add(t, o.distinct[name])) this.stats.sketchedSets++;
      }
    }
    if (o.forget && state.sets) for (const name in o.forget) state.sets[vocabulary.set(name)]?.delete(o.forget[name]);

    const suppressed = t < state.suppressedUntil;
    if (suppressed && slot.detector.escalates !== true) return undefined;
    const view = lane.view;
    view.fill(key, t, state, vocabulary, o.sample ?? NO_SAMPLE);
    const verdict = slot.detector.evaluate(view, lane.settings);
    if (!verdict) return undefined;
    const severity = verdict.severity ?? lane.settings.severity;
    // graver is a higher severity, or the same one now proven (a proven breach after a forged one)
    const score = SEVERITY_SCORE[severity] + (verdict.proven === true || state.ring.sum(PROVEN) >= state.ring.sum(TOTAL) ? 0.5 : 0);
    if (suppressed && score <= state.suppressedScore) return undefined;
    const quietUntil = saidByAnotherHorizon(slot, lane, key, t, score);
    if (quietUntil !== undefined) {
      // quiet while the other horizon is: no evaluation per record meanwhile (as when suppressed)
      state.suppressedUntil = quietUntil;
      state.suppressedScore = 0;
      return undefined;
    }
    state.suppressedUntil = t + lane.suppressMs;
    state.suppressedScore = score;
    this.stats.findings++;
    const finding = this.finding(slot, lane, key, t, record, state, verdict.counts, verdict.reason, severity);
    if (verdict.proven === true) finding.source_proven = true;
    if (verdict.remediation !== undefined) finding.remediation = verdict.remediation;
    return finding;
  }

  private finding(slot: Slot, lane: Lane, key: string, t: number, record: FlowRecord, state: KeyState, counts: Record<string, number>, reason: string, severity: CommonSettings['severity']): Finding {
    const d = slot.detector;
    const windowStart = Math.max(state.firstSeen, t - lane.windowMs);
    const total = state.ring.sum(TOTAL);
    return {
      '@timestamp': toIso(t),
      event: { id: stableId(lane.ruleId, key, t), kind: 'alert', dataset: 'callsentry.finding', severity: SEVERITY_SCORE[severity] },
      rule: { id: d.id, name: d.name, description: reason, category: d.category },
      severity,
      key: { type: d.keyType, value: key },
      window: { start: toIso(windowStart), end: toIso(t), seconds: lane.settings.window_seconds, ...(lane.horizon ? { horizon: lane.horizon } : {}) },
      counts: { ...counts, records: total },
      evidence: { record_ids: [...state.evidence], ...observedOf(slot, state, t) },
      labels: { ...d.labels },
      remediation: lane.remediation,
      first_seen: toIso(state.firstSeen),
      last_seen: toIso(t),
      source_proven: state.ring.sum(PROVEN) >= total,
      ...(record.organization ? { organization: record.organization } : {}),
    };
  }

  /**
   * Drops keys idle for longer than their window and suppression, so memory follows live traffic.
   * Incremental: each sweep (every second of event time) visits a bounded slice of each lane's
   * keys from where the last one stopped, so no record pays for a walk over every key.
   */
  private sweep(): void {
    this.lastSweep = this.watermark;
    // a few keys per record since the last sweep: sweeping costs in proportion to the traffic
    const slice = Math.min(SWEEP_SLICE, 64 + 4 * this.sinceSweep);
    this.sinceSweep = 0;
    for (const lane of this.lanes) {
      const idleMs = lane.windowMs + lane.suppressMs;
      let cursor = lane.cursor ?? lane.keys.entries();
      for (let visited = 0; visited < slice; visited++) {
        const next = cursor.next();
        if (next.done) {
          cursor = lane.keys.entries();
          break;
        }
        const [key, state] = next.value;
        if (this.watermark - state.lastSeen > idleMs) lane.keys.delete(key);
      }
      lane.cursor = cursor;
    }
  }

  /**
   * Makes room for a key at the cap: the oldest key in insertion order goes, unless it was seen
   * within its window, in which case it gets a second chance at the back (CLOCK, an approximation
   * of least recently seen that costs nothing per record).
   */
  private evictOldest(lane: Lane): void {
    for (let tries = 0; tries < 8; tries++) {
      const oldest = lane.keys.entries().next();
      if (oldest.done) return;
      const [key, state] = oldest.value;
      lane.keys.delete(key);
      if (tries < 7 && this.watermark - state.lastSeen <= lane.windowMs) {
        lane.keys.set(key, state);
        continue;
      }
      this.stats.evictedKeys++;
      return;
    }
  }
}

/**
 * Whether another horizon of the detector has just said as much about this key: it found it, at
 * this severity score or above (SEVERITY_SCORE, +0.5 when proven), and is still suppressing it. A fast attack crosses the slow horizons'
 * thresholds too, seconds later; one finding says it. A slow horizon still speaks when the attack
 * stays under the fast one's thresholds, or when it is more severe (a persistent scanner).
 * Returns until when the other horizon suppresses the key, or undefined when none has spoken.
 */
function saidByAnotherHorizon(slot: Slot, lane: Lane, key: string, t: number, score: number): number | undefined {
  if (slot.lanes.length === 1) return undefined;
  for (const other of slot.lanes) {
    if (other === lane) continue;
    const s = other.keys.get(key);
    if (s !== undefined && t < s.suppressedUntil && s.suppressedScore >= score) return s.suppressedUntil;
  }
  return undefined;
}

/** What a finding quotes: a sample of each set the detector names, clipped to the schema's bounds. */
function observedOf(slot: Slot, state: KeyState, t: number): { observed?: Record<string, string[]> } {
  const names = slot.detector.observed;
  if (!names || !state.sets) return {};
  let observed: Record<string, string[]> | undefined;
  for (const name of names.slice(0, OBSERVED_SETS)) {
    const c = slot.vocabulary.sets.get(name);
    const set = c === undefined ? undefined : state.sets[c];
    const values = set?.sample(t, OBSERVED_VALUES);
    if (values?.length) (observed ??= {})[name] = values.map((v) => (v.length > OBSERVED_LENGTH ? `${v.slice(0, OBSERVED_LENGTH - 1)}…` : v));
  }
  return observed ? { observed } : {};
}

const NO_FINDINGS: Finding[] = [];
Object.freeze(NO_FINDINGS);
const NO_SLOTS: Slot[] = [];

/**
 * The window of one key as evaluate sees it, reused for every evaluation of a lane. Counts and
 * distinct sizes are filled for every name of the detector's vocabulary (0 where this key has
 * none), so their objects keep one shape and nothing is allocated per record.
 */
class LaneView implements WindowView {
  key = '';
  readonly counts: Record<string, number> = {};
  readonly distinct: Record<string, number> = {};
  sample: Readonly<Record<string, string>> = NO_SAMPLE;
  private t = 0;
  private state: KeyState | undefined;
  private vocabulary: Vocabulary | undefined;

  constructor(readonly windowSeconds: number) {}

  fill(key: string, t: number, state: KeyState, vocabulary: Vocabulary, sample: Readonly<Record<string, string>>): void {
    this.key = key;
    this.t = t;
    this.state = state;
    this.vocabulary = vocabulary;
    this.sample = sample;
    const counters = vocabulary.counterNames;
    for (let c = PROVEN + 1; c < counters.length; c++) this.counts[counters[c]] = state.ring.sum(c);
    const sets = vocabulary.setNames;
    for (let c = 0; c < sets.length; c++) this.distinct[sets[c]] = state.sets?.[c]?.size(t) ?? 0;
  }

  /** an own property, so that a copy of the view ({ ...view }) still answers */
  readonly has = (set: string, value: string): boolean => {
    const c = this.vocabulary?.sets.get(set);
    return c !== undefined && (this.state?.sets?.[c]?.has(this.t, value) ?? false);
  };
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
