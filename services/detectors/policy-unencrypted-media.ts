// Media in clear text where the tenant requires SRTP: an SDP offer or answer with an active RTP
// stream that is neither SAVP nor keyed (no a=crypto, no DTLS fingerprint). RTP/AVP with a=crypto
// is best-effort SRTP and passes; a stream on port 0 is disabled and passes.
import type { SdpSummary } from '../core/records';
import { defineDetector, type CommonSettings } from './definition';
import { inScope, TENANT_SCOPE_SCHEMA, type TenantScope } from './tenant-scope';

export interface UnencryptedMediaSettings extends CommonSettings {
  /** tenants (organization ids) that require SRTP, or `all` */
  srtp_required_tenants: TenantScope;
}

/** The first active stream that would flow unencrypted, or undefined. */
export function clearStream(sdp: SdpSummary): SdpSummary['media'][number] | undefined {
  return sdp.media.find(
    (m) => m.port > 0 && /RTP\/AVPF?$/i.test(m.protocol) && !(m.crypto_suites?.length ?? 0) && !m.dtls_fingerprint,
  );
}

export default defineDetector<UnencryptedMediaSettings>({
  id: 'policy/unencrypted-media',
  name: 'Media without SRTP',
  description: 'A source offers or answers RTP media without SRTP keys for a tenant that requires SRTP.',
  category: 'policy',
  keyType: 'ip',
  labels: { behavior: 'policy:unencrypted-media', mitre_technique: 'T1040' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 3600,
    severity: 'medium',
    srtp_required_tenants: [],
  },
  settingsSchema: { srtp_required_tenants: TENANT_SCOPE_SCHEMA },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    const stream = r.sip.sdp && inScope(s.srtp_required_tenants, r) ? clearStream(r.sip.sdp) : undefined;
    if (!stream) return undefined;
    return { count: { clear_offers: 1 }, sample: { media: `${stream.type} ${stream.protocol}`, tenant: r.organization?.id ?? '-' } };
  },
  evaluate: (w) => ({
    counts: { clear_offers: w.counts.clear_offers ?? 0 },
    reason: `${w.sample.media} without SRTP keys for tenant ${w.sample.tenant}, which requires SRTP`,
  }),
});
