// What a detector is: data (id, labels, key, window, thresholds, remediation) plus a small pure
// evaluate step. The engine owns keys, windows, event time, suppression and metrics.
import type { Finding, KeyType, MalformedSip, MediaFlow, Remediation, Severity, SipFlow } from '../core/records';
import type { HorizonOverride } from './horizons';

/** What detectors read: SIP flows, media flows, and malformed-SIP events (on the SIP topic). */
export type FlowRecord = SipFlow | MediaFlow | MalformedSip;

export type Category = 'dos' | 'recon' | 'credential' | 'fraud' | 'policy' | 'relay';

/** Settings every detector has; thresholds specific to a detector sit beside them. */
export interface CommonSettings {
  enabled: boolean;
  window_seconds: number;
  /** no second finding for the same key until this long after the last one */
  suppress_seconds: number;
  severity: Severity;
  /** more time scales (docs/configuration.md, "Horizons"); a configured list replaces the defaults */
  horizons?: HorizonOverride[];
}

/** What one record adds to its key's window. */
export interface Observation {
  /** counters to add to; the window sums them */
  count?: Record<string, number>;
  /** per set name, one value for a set of distinct values over the window (users tried, numbers dialed) */
  distinct?: Record<string, string>;
  /** per set name, a value to take out of the set before the window would (a call that hung up) */
  forget?: Record<string, string>;
  /**
   * only for a key that already has state: evidence that offsets suspicion (an account that got
   * in, a number dialled with credentials) costs nothing for the many keys with nothing to offset
   */
  ifKeyed?: boolean;
  /** fields of this record the evaluate step may quote (a dialed number); not kept after it */
  sample?: Record<string, string>;
}

/** One key over the current window, as the evaluate step sees it. */
export interface WindowView {
  key: string;
  counts: Readonly<Record<string, number>>;
  /** number of distinct values per set; saturates at the engine's bound (EngineLimits) */
  distinct: Readonly<Record<string, number>>;
  /** the sample of the record that is being evaluated */
  sample: Readonly<Record<string, string>>;
  /** whether a set holds a value within the window (for shapes like consecutive numbers); valid during evaluate */
  has(set: string, value: string): boolean;
  windowSeconds: number;
}

export interface Verdict {
  /** which counters crossed a threshold, with their values: goes to finding.counts */
  counts: Record<string, number>;
  reason: string;
  severity?: Severity;
  /**
   * The records this verdict rests on all came from proven senders (the detector counted only
   * such records toward it), whatever else the key's window holds: the finding is then
   * source_proven. Set it only from records whose `sip.source_proven` was true.
   */
  proven?: boolean;
  /** a milder remediation than the detector's for this verdict (a lower-severity flag): only alert-only */
  remediation?: 'alert-only';
}

export interface DetectorDefinition<S extends CommonSettings = CommonSettings, R extends FlowRecord = SipFlow> {
  id: string;
  /** the records it reads: SIP flows unless it says media flows (it then runs on flows.media.v1) */
  dataset?: FlowRecord['event']['dataset'];
  /**
   * SIP methods (upper case) of the only records it can observe; the engine then never offers it
   * others. Absent: every record of its dataset.
   */
  methods?: readonly string[];
  name: string;
  description: string;
  category: Category;
  keyType: KeyType;
  /**
   * 'destination': its key is the address a request was sent to, and it counts only unproven
   * requests; it runs on flows.sip.by-destination.v1 (keyed by destination), so all of a
   * destination's requests meet on one partition whatever their sources.
   */
  partitionBy?: 'destination';
  labels: Finding['labels'];
  remediation: Remediation;
  defaults: S;
  /**
   * Its verdicts differ in severity (a low flag, a critical breach): a verdict of a higher
   * severity than the finding that suppresses its key, or of the same severity but proven where
   * that finding was not, is not suppressed. Costs an evaluation per
   * record under suppression, so only such detectors say so.
   */
  escalates?: boolean;
  /**
   * Distinct sets whose values its findings quote in `evidence.observed` (the users probed, the
   * numbers dialled): a bounded sample of each, so a finding names what it saw, not only counts.
   */
  observed?: readonly string[];
  /** JSON Schema of the detector-specific settings (merged with the common ones for validation) */
  settingsSchema: Record<string, unknown>;
  /**
   * Key of a record (source ip, account; a relay peer); undefined: the record is not for this
   * detector. Settings are given for keys that depend on them (which peers are denied).
   */
  keyOf(record: R, settings: S): string | undefined;
  /** What a record adds to its key's window, or undefined when it does not concern this detector. */
  observe(record: R, settings: S): Observation | undefined;
  /** Pure: is the window over threshold? */
  evaluate(window: WindowView, settings: S): Verdict | undefined;
  /**
   * Optional, runs once when the configuration is loaded, never per record: turns settings that
   * name files into data (a prefix list), so observe and evaluate stay pure. Throws BAD_CONFIG.
   */
  resolve?(settings: S): S;
}

/** Helps detector files keep their settings type while the registry holds them all. */
export function defineDetector<S extends CommonSettings, R extends FlowRecord = SipFlow>(d: DetectorDefinition<S, R>): DetectorDefinition<S, R> {
  return d;
}

/** A detector as the registry, the engine and the stages hold it, whatever its settings and records. */
export type AnyDetector = DetectorDefinition<CommonSettings, FlowRecord>;

export function isSipFlow(r: FlowRecord): r is SipFlow {
  return r.event.dataset === 'sip.flow';
}
