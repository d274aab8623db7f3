// A single source sending far more requests of one method than any phone or trunk would:
// INVITE floods (call setup exhaustion), REGISTER floods, OPTIONS floods.
import { defineDetector, type CommonSettings, type Observation } from './definition';

export interface RequestFloodSettings extends CommonSettings {
  /** requests per window, per method; methods not listed use `other` */
  thresholds: Record<string, number>;
}

export default defineDetector<RequestFloodSettings>({
  id: 'sip/request-flood',
  name: 'SIP request flood from one source',
  description: 'One source IP sends more requests of one method within the window than the threshold for that method.',
  category: 'dos',
  keyType: 'ip',
  labels: { behavior: 'sip:flood', mitre_technique: 'T1498' },
  remediation: 'block-source',
  defaults: {
    enabled: true,
    window_seconds: 10,
    suppress_seconds: 60,
    severity: 'high',
    thresholds: { INVITE: 100, REGISTER: 100, OPTIONS: 100, other: 200 },
  },
  settingsSchema: {
    thresholds: {
      type: 'object',
      additionalProperties: { type: 'integer', minimum: 1 },
    },
  },
  keyOf: (r) => r.source.ip,
  observe: (r) => countOf(r.sip.method),
  evaluate(window, s) {
    for (const method in window.counts) {
      const count = window.counts[method];
      const limit = s.thresholds[method] ?? s.thresholds.other;
      if (limit !== undefined && count >= limit) {
        return {
          counts: { [method]: count, threshold: limit },
          reason: `${count} ${method} requests in ${window.windowSeconds}s (threshold ${limit})`,
        };
      }
    }
    return undefined;
  },
});

/** One observation per method, made once: the engine only reads it, and this runs for every request. */
const OBSERVATIONS = new Map<string, Observation>();

function countOf(method: string): Observation {
  let o = OBSERVATIONS.get(method);
  if (!o) {
    o = { count: { [method.toUpperCase()]: 1 } };
    // methods come from the network: remember the usual few, make the rest afresh
    if (OBSERVATIONS.size < 64) OBSERVATIONS.set(method, o);
  }
  return o;
}
