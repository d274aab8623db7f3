// Encryption that is there but weak: TLS below 1.2 (BEAST, POODLE-era protocols, deprecated by
// RFC 8996), or SDES suites that encrypt or authenticate nothing. Applies to every tenant: nobody
// asks for weak crypto, and traffic without TLS or SDES never reaches this detector.
import { defineDetector, type CommonSettings, type Observation } from './definition';

export interface WeakCryptoSettings extends CommonSettings {
  /** lowest acceptable TLS version, `major.minor` */
  min_tls_version: string;
  /** SRTP suites considered weak; `*` at the start or end matches any text */
  weak_suites: string[];
}

/** TLS version as a comparable number: `1.2`, `TLSv1.2`, `TLS 1.2` give 102; SSL versions rank below TLS 1.0 (100). */
export function tlsRank(version: string): number | undefined {
  const m = /^\s*(ssl|tls)?\s*v?\s*(\d+)(?:\.(\d+))?\s*$/i.exec(version);
  if (!m) return undefined;
  const major = Number(m[2]);
  const minor = Number(m[3] ?? 0);
  return m[1]?.toLowerCase() === 'ssl' ? major * 10 + minor : major * 100 + minor;
}

/** Whether a suite name matches a pattern with an optional `*` at either end (case-insensitive). */
export function suiteMatches(suite: string, pattern: string): boolean {
  const s = suite.toUpperCase();
  const p = pattern.toUpperCase();
  const head = p.startsWith('*');
  const tail = p.endsWith('*') && p.length > 1;
  const core = p.slice(head ? 1 : 0, tail ? -1 : undefined);
  if (head && tail) return s.includes(core);
  if (head) return s.endsWith(core);
  if (tail) return s.startsWith(core);
  return s === core;
}

export default defineDetector<WeakCryptoSettings>({
  id: 'policy/weak-crypto',
  name: 'Weak TLS or SRTP',
  description: 'A source uses TLS below the minimum version, or offers an SRTP suite on the weak list.',
  category: 'policy',
  keyType: 'ip',
  labels: { behavior: 'policy:weak-crypto', mitre_technique: 'T1557' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 3600,
    severity: 'medium',
    min_tls_version: '1.2',
    // no encryption (NULL_...), no authentication (..._NULL_AUTH), a 32-bit tag with F8 mode
    weak_suites: ['NULL_*', '*_NULL_AUTH', 'F8_128_HMAC_SHA1_32'],
  },
  settingsSchema: {
    min_tls_version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+$' },
    weak_suites: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 } },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s): Observation | undefined {
    const version = r.tls?.version;
    const rank = version === undefined ? undefined : tlsRank(version);
    const minimum = tlsRank(s.min_tls_version) ?? 102;
    if (rank !== undefined && rank < minimum) return { count: { weak_tls: 1 }, sample: { what: `TLS ${version}` } };
    for (const m of r.sip.sdp?.media ?? []) {
      const weak = m.port > 0 ? m.crypto_suites?.find((c) => s.weak_suites.some((p) => suiteMatches(c, p))) : undefined;
      if (weak) return { count: { weak_srtp: 1 }, sample: { what: `SRTP suite ${weak}` } };
    }
    return undefined;
  },
  evaluate: (w) => ({
    counts: { weak_tls: w.counts.weak_tls ?? 0, weak_srtp: w.counts.weak_srtp ?? 0 },
    reason: `${w.sample.what} is on the weak list`,
  }),
});
