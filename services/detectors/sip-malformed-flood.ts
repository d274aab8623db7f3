// A source sending many SIP messages that do not parse: fuzzers (PROTOS-style), broken or hostile
// clients, or a flood of garbage aimed at the parser. Reads the malformed-SIP events the collector
// puts in the flow stream beside each dead letter.
import type { MalformedSip } from '../core/records';
import { defineDetector, type CommonSettings } from './definition';

export interface MalformedFloodSettings extends CommonSettings {
  /** unparsable messages per window and source */
  threshold: number;
}

export default defineDetector<MalformedFloodSettings, MalformedSip>({
  id: 'sip/malformed-flood',
  dataset: 'sip.malformed',
  name: 'Flood of malformed SIP messages from one source',
  description: 'One source sends more SIP messages that fail to parse within the window than the threshold.',
  category: 'dos',
  keyType: 'ip',
  labels: { behavior: 'sip:malformed', mitre_technique: 'T1499.004' },
  remediation: 'block-source',
  observed: ['reason'],
  defaults: { enabled: true, window_seconds: 10, suppress_seconds: 300, severity: 'high', threshold: 20 },
  settingsSchema: { threshold: { type: 'integer', minimum: 1 } },
  keyOf: (r) => r.source.ip,
  observe: (r) => ({ count: { malformed: 1 }, distinct: { reason: r.error.code }, sample: { reason: r.error.code } }),
  evaluate(w, s) {
    const n = w.counts.malformed ?? 0;
    if (n < s.threshold) return undefined;
    return {
      counts: { malformed: n, reasons: w.distinct.reason ?? 0, threshold: s.threshold },
      reason: `${n} malformed SIP messages in ${w.windowSeconds}s (${w.distinct.reason ?? 0} kinds of defect, e.g. ${w.sample.reason ?? '?'}; threshold ${s.threshold})`,
    };
  },
});
