// Signalling in clear text where the tenant requires TLS: digest exchanges, numbers dialled and
// SDP keys (SDES sends SRTP keys inside SIP) are readable on the path. One request is a breach;
// the finding names the source so the device or trunk can be reconfigured.
import type { Transport } from '../core/records';
import { defineDetector, type CommonSettings } from './definition';
import { inScope, TENANT_SCOPE_SCHEMA, type TenantScope } from './tenant-scope';

export interface UnencryptedSignallingSettings extends CommonSettings {
  /** tenants (organization ids) that require SIP over TLS, or `all` */
  tls_required_tenants: TenantScope;
}

const ENCRYPTED: ReadonlySet<Transport> = new Set<Transport>(['tls', 'wss']);

export default defineDetector<UnencryptedSignallingSettings>({
  id: 'policy/unencrypted-signalling',
  name: 'SIP signalling without TLS',
  description: 'A source sends SIP over UDP, TCP, WS or SCTP for a tenant that requires TLS.',
  category: 'policy',
  keyType: 'ip',
  // the technique the breach exposes the tenant to
  labels: { behavior: 'policy:unencrypted-signalling', mitre_technique: 'T1040' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 3600,
    severity: 'medium',
    tls_required_tenants: [],
  },
  settingsSchema: { tls_required_tenants: TENANT_SCOPE_SCHEMA },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    if (ENCRYPTED.has(r.network.transport) || !inScope(s.tls_required_tenants, r)) return undefined;
    return { count: { unencrypted_requests: 1 }, sample: { transport: r.network.transport, tenant: r.organization?.id ?? '-' } };
  },
  evaluate: (w) => ({
    counts: { unencrypted_requests: w.counts.unencrypted_requests ?? 0 },
    reason: `SIP over ${w.sample.transport} for tenant ${w.sample.tenant}, which requires TLS`,
  }),
});
