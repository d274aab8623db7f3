// What a detector is: data (id, labels, key, window, thresholds, remediation) plus a small pure
// evaluate step. The engine owns keys, windows, event time, suppression and metrics.
import type { Finding, KeyType, Remediation, Severity, SipFlow } from '../core/records';

export type Category = 'dos' | 'recon' | 'credential' | 'fraud' | 'policy' | 'relay';

/** Settings every detector has; thresholds specific to a detector sit beside them. */
export interface CommonSettings {
  enabled: boolean;
  window_seconds: number;
  /** no second finding for the same key until this long after the last one */
  suppress_seconds: number;
  severity: Severity;
}

/** The counters of one key over the current window. */
export interface WindowView {
  key: string;
  counts: Readonly<Record<string, number>>;
  windowSeconds: number;
}

export interface Verdict {
  /** which counters crossed a threshold, with their values: goes to finding.counts */
  counts: Record<string, number>;
  reason: string;
  severity?: Severity;
}

export interface DetectorDefinition<S extends CommonSettings = CommonSettings> {
  id: string;
  name: string;
  description: string;
  category: Category;
  keyType: KeyType;
  labels: Finding['labels'];
  remediation: Remediation;
  defaults: S;
  /** JSON Schema of the detector-specific settings (merged with the common ones for validation) */
  settingsSchema: Record<string, unknown>;
  /** Partition key of a record (source ip, account); undefined: the record is not for this detector. */
  keyOf(record: SipFlow): string | undefined;
  /** Counters a record adds to its key's window, or undefined when it does not concern this detector. */
  observe(record: SipFlow, settings: S): Record<string, number> | undefined;
  /** Pure: is the window over threshold? */
  evaluate(window: WindowView, settings: S): Verdict | undefined;
}

/** Helps detector files keep their settings type while the registry holds them all. */
export function defineDetector<S extends CommonSettings>(d: DetectorDefinition<S>): DetectorDefinition<S> {
  return d;
}
