// Many unproven sources together sending one destination far more requests than its normal load:
// a distributed or forged-source flood, where each source alone stays under the per-source
// threshold. Only unproven requests count: proven traffic (answered challenges, TCP/TLS) is real
// load from real clients, and a single flooder is the per-source detector's business.
// It runs on flows.sip.by-destination.v1, which the collector keys by destination address, so all
// requests toward one destination meet in one window whatever their sources and however many
// partitions there are (docs/state.md). The sources are unproven by nature, so the remedy is an
// aggregate rate limit, never one block per (possibly forged) address.
import { defineDetector, type CommonSettings } from './definition';

export interface DistributedFloodSettings extends CommonSettings {
  /** requests toward one destination per window before a finding */
  min_requests: number;
  /** distinct sources of those requests: fewer is a single flooder's business */
  min_sources: number;
}

export default defineDetector<DistributedFloodSettings>({
  id: 'sip/distributed-flood',
  name: 'Distributed SIP flood toward one destination',
  description: 'Many sources together send one destination more requests within the window than the threshold, each possibly under the per-source one.',
  category: 'dos',
  keyType: 'ip',
  partitionBy: 'destination',
  labels: { behavior: 'sip:flood', mitre_technique: 'T1498' },
  remediation: 'aggregate-limit',
  observed: ['sources'],
  defaults: {
    enabled: true,
    window_seconds: 10,
    suppress_seconds: 60,
    severity: 'high',
    min_requests: 5000,
    min_sources: 100,
  },
  settingsSchema: {
    min_requests: { type: 'integer', minimum: 1 },
    min_sources: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.destination.ip,
  // ACK completes a transaction we already counted; proven requests are not a flood's
  observe: (r) => (r.sip.method.toUpperCase() === 'ACK' || r.sip.source_proven === true ? undefined : { count: { requests: 1 }, distinct: { sources: r.source.ip } }),
  evaluate(w, s) {
    const requests = w.counts.requests ?? 0;
    const sources = w.distinct.sources ?? 0;
    if (requests < s.min_requests || sources < s.min_sources) return undefined;
    return {
      counts: { requests, sources, threshold: s.min_requests },
      reason: `${requests} unproven requests from ${sources} sources toward ${w.key} in ${w.windowSeconds}s (threshold ${s.min_requests} from ${s.min_sources} sources)`,
    };
  },
});
