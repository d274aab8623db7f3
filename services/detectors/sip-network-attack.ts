// Rotating sources: a flood, an enumeration or a brute force spread over many addresses of one
// network (a /24, a /48), each address under every per-source threshold. Keyed by the network, the
// spread attack is one key again. What counts is what a customer's site does not leave behind:
// users answered "no such user" to requests without credentials, refused credentials, and
// unproven requests nobody answered a challenge for (each request that carried credentials and
// was not refused takes one off, so phones challenged and then registered count nothing).
// A NAT'd office is one address, however many phones: `min_sources` addresses of the network must
// take part. The remedy is a rate limit: the addresses are unproven and a /24 holds bystanders.
// The collector keys SIP flows by the source's /24 or /48 (core/source-network), so a network's
// records meet on one partition; a prefix shorter than those would split over partitions.
import { networkAt, PARTITION_PREFIX } from '../core/source-network';
import { isCredentialFailure } from './authorised-call';
import { dialedOf } from './dialed-number';
import { defineDetector, type CommonSettings, type Observation } from './definition';
import type { SipFlow } from '../core/records';

export interface NetworkAttackSettings extends CommonSettings {
  /** prefix length of an IPv4 source's network */
  ipv4_prefix: number;
  /** prefix length of an IPv6 source's network */
  ipv6_prefix: number;
  /** distinct addresses of the network that took part, per window, before a finding */
  min_sources: number;
  /** final statuses that mean "no such user" */
  unknown_statuses: number[];
  /** distinct users answered "no such user" (requests without credentials), per window */
  min_unknown_users: number;
  /** refused requests that carried credentials, per window */
  min_failures: number;
  /** unproven requests not offset by answered challenges, per window */
  min_requests: number;
}

/** The network of an address at the configured prefix length, canonical (a.b.c.0/24, 2001:db8:1::/48). */
export function networkOf(ip: string, s: Pick<NetworkAttackSettings, 'ipv4_prefix' | 'ipv6_prefix'>): string | undefined {
  return networkAt(ip, s.ipv4_prefix, s.ipv6_prefix);
}

export default defineDetector<NetworkAttackSettings>({
  id: 'sip/network-attack',
  name: 'SIP attack from rotating addresses of one network',
  description: 'Many addresses of one network (a /24, a /48) together probe users, guess passwords or send unproven requests past the thresholds, each address possibly under the per-source ones.',
  category: 'dos',
  keyType: 'cidr',
  labels: { behavior: 'sip:flood', mitre_technique: 'T1498' },
  // a /24 holds bystanders (a carrier-grade NAT, other customers): say it, limit nothing by default
  remediation: 'alert-only',
  observed: ['sources', 'unknown_users'],
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'high',
    ipv4_prefix: 24,
    ipv6_prefix: 48,
    min_sources: 5,
    unknown_statuses: [404, 604],
    min_unknown_users: 50,
    min_failures: 1000,
    min_requests: 500,
    horizons: [{ name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_unknown_users: 150, min_failures: 20000, min_requests: 5000 }],
  },
  settingsSchema: {
    ipv4_prefix: { type: 'integer', minimum: PARTITION_PREFIX[4], maximum: 32 },
    ipv6_prefix: { type: 'integer', minimum: PARTITION_PREFIX[6], maximum: 128 },
    min_sources: { type: 'integer', minimum: 2, maximum: 65536 },
    unknown_statuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 699 }, minItems: 1 },
    min_unknown_users: { type: 'integer', minimum: 2 },
    min_failures: { type: 'integer', minimum: 2 },
    min_requests: { type: 'integer', minimum: 2 },
  },
  keyOf: (r, s) => networkOf(r.source.ip, s),
  observe(r: SipFlow, s): Observation | undefined {
    const status = r.sip.status;
    if (r.sip.method.toUpperCase() === 'ACK') return undefined;
    const ip = r.source.ip;
    const credentials = r.sip.auth_user !== undefined;
    if (isCredentialFailure(r)) return { count: { failures: 1 }, distinct: { sources: ip, failure_sources: ip } };
    // an answered challenge: the sender received our nonce and answered it
    if (credentials && r.sip.source_proven === true) return { count: { answered: 1 }, distinct: { answering_sources: ip }, ifKeyed: true };
    if (credentials || r.sip.source_proven === true) return undefined;
    const user = status !== undefined && s.unknown_statuses.includes(status) ? dialedOf(r) : undefined;
    // each signal counts its own sources: one loud address among quiet phones is the per-source
    // detectors' business, not a spread attack
    const distinct: Record<string, string> = user !== undefined ? { sources: ip, unknown_users: user, unknown_sources: ip } : {};
    // an unproven request served outright (a keep-alive answered 200) is not refused traffic
    if (status !== undefined && status >= 200 && status < 300) return user === undefined ? undefined : { distinct };
    return { count: { requests: 1 }, distinct: { ...distinct, sources: ip, request_sources: ip } };
  },
  evaluate(w, s) {
    const d = w.distinct;
    const unknown = d.unknown_users ?? 0;
    const failures = w.counts.failures ?? 0;
    const requests = Math.max(0, (w.counts.requests ?? 0) - (w.counts.answered ?? 0));
    // addresses that sent unproven requests and never answered a challenge (phones answer theirs)
    const silent = Math.max(0, (d.request_sources ?? 0) - (d.answering_sources ?? 0));
    const min = s.min_sources;
    const over = [
      unknown >= s.min_unknown_users && (d.unknown_sources ?? 0) >= min ? `${unknown} distinct unknown users from ${d.unknown_sources} addresses (threshold ${s.min_unknown_users})` : undefined,
      failures >= s.min_failures && (d.failure_sources ?? 0) >= min ? `${failures} refused credentials from ${d.failure_sources} addresses (threshold ${s.min_failures})` : undefined,
      requests >= s.min_requests && silent >= min ? `${requests} unproven requests with no answered challenge from ${silent} addresses that answer none (threshold ${s.min_requests})` : undefined,
    ].filter((x): x is string => x !== undefined);
    if (!over.length) return undefined;
    const sources = d.sources ?? 0;
    return {
      counts: { sources, unknown_users: unknown, failures, requests, min_sources: min },
      reason: `${sources} addresses of ${w.key} together: ${over.join(', ')} in ${w.windowSeconds}s`,
    };
  },
});
