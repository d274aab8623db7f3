// Reconnaissance sweep (svmap): one source sends OPTIONS to many hosts or ports to find SIP
// services. A phone or a proxy pings a handful of peers; a sweep touches dozens in seconds. Counted
// both by destination address:port and by request-URI host, so a sweep relayed through one proxy
// (many URI hosts, one destination) shows as well.
import { defineDetector, type CommonSettings } from './definition';
import { uriParts } from './sip-uri';

export interface OptionsSweepSettings extends CommonSettings {
  /** methods that count as probes */
  methods: string[];
  /** distinct destinations (address:port, or request-URI host) per window before a finding */
  min_targets: number;
}

export default defineDetector<OptionsSweepSettings>({
  id: 'sip/options-sweep',
  name: 'SIP OPTIONS sweep',
  description: 'One source probes many distinct destinations (address:port or request-URI host) with OPTIONS within the window.',
  category: 'recon',
  keyType: 'ip',
  labels: { behavior: 'sip:scan', mitre_technique: 'T1595.001' },
  remediation: 'block-source',
  observed: ['destinations', 'uri_hosts'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'medium',
    methods: ['OPTIONS'],
    min_targets: 20,
    horizons: [
      // trunks and SBCs keep a handful of peers alive; a slow sweep adds a new target every minute or two
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_targets: 30 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_targets: 60 },
    ],
  },
  settingsSchema: {
    methods: { type: 'array', items: { type: 'string', pattern: '^[A-Z]+$' }, minItems: 1 },
    min_targets: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    if (!s.methods.includes(r.sip.method.toUpperCase())) return undefined;
    const host = uriParts(r.sip.request_uri).host;
    const distinct: Record<string, string> = { destinations: `${r.destination.ip}:${r.destination.port ?? ''}` };
    if (host) distinct.uri_hosts = host;
    return { count: { probes: 1 }, distinct };
  },
  evaluate(w, s) {
    const destinations = w.distinct.destinations ?? 0;
    const uriHosts = w.distinct.uri_hosts ?? 0;
    const targets = Math.max(destinations, uriHosts);
    if (targets < s.min_targets) return undefined;
    return {
      counts: { destinations, uri_hosts: uriHosts, probes: w.counts.probes ?? 0, threshold: s.min_targets },
      reason: `${targets} distinct destinations probed in ${w.windowSeconds}s (threshold ${s.min_targets})`,
    };
  },
});
