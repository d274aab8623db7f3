// A TURN user pushing far more through the relay than any call needs: the relay used as a free
// amplifier toward a victim, or as a bulk tunnel. Voice needs ~100 kbit/s, HD video a few Mbit/s.
// Records carry the bytes since the allocation's previous record, so a window's sum counts each
// byte once. Media flows are partitioned by client address, so a user spread over several
// addresses is summed per partition (like sip/distributed-flood, docs/state.md). Alerts only: the
// relay's own quotas (coturn max-bps, user-quota) are the enforcement point.
import type { MediaFlow } from '../core/records';
import { defineDetector, type CommonSettings } from './definition';

export interface BandwidthFloodSettings extends CommonSettings {
  /** bytes relayed per window and TURN user before a finding */
  max_bytes: number;
}

export default defineDetector<BandwidthFloodSettings, MediaFlow>({
  id: 'relay/bandwidth-flood',
  name: 'Relay bandwidth flood by one TURN user',
  description: 'One TURN user relays more bytes within the window than the threshold.',
  category: 'relay',
  dataset: 'media.flow',
  keyType: 'account',
  labels: { behavior: 'relay:bandwidth-abuse', mitre_technique: 'T1498' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    // 1 GB a minute, about 133 Mbit/s: some thirty HD video streams
    max_bytes: 1_000_000_000,
  },
  settingsSchema: {
    max_bytes: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000_000 },
  },
  keyOf: (r) => r.media.relay?.user,
  observe: (r) => ({ count: { bytes: r.media.bytes } }),
  evaluate(w, s) {
    const bytes = w.counts.bytes ?? 0;
    if (bytes < s.max_bytes) return undefined;
    return {
      counts: { bytes, threshold: s.max_bytes },
      reason: `TURN user ${w.key} relayed ${bytes} bytes in ${w.windowSeconds}s on this partition (threshold ${s.max_bytes})`,
    };
  },
});
