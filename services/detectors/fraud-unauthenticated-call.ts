// An open gateway: a source that is no trunk or peer of ours has an INVITE to an outside number
// answered (18x or 2xx) without ever being asked for credentials. The proxy routed a stranger's
// call to the carrier, and every such call is billed to the operator (the slow campaigns of issue
// 15: dozens of foreign mobile calls answered unauthenticated). One answered call is enough.
//
// What is not counted: an INVITE that carried credentials, or was answered 401/407 (the proxy
// asked for them: that is the normal first half of every phone's call), a proxy forwarding a
// phone's authenticated call (the collector's sip.upstream_auth), in-dialog re-INVITEs (the
// dialog was set up, and perhaps authenticated, before), calls from configured trunks and peers
// (`trusted_sources`; private ranges by default: an internal gateway that the proxy trusts by
// address is not reachable from the Internet), and calls to our own numbers (`own_numbers`: a
// carrier delivering a call to one of our DIDs is answered without credentials by design).
//
// Forged sources: an answered INVITE over UDP proves nothing about its source until the caller
// acknowledges the 200 with our To tag (or answers over a connection): the collector then marks
// the record source_proven. Only proven answered calls make the finding proven, so only they can
// block; a forged one gets the decision policy's first ban or rate limit, never a long block of
// an innocent address. Refused attempts (403, 404, 480, no answer) are counted for a
// lower-severity alert: a source trying outside numbers through a closed gateway.
import type { SipFlow } from '../core/records';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings, type Observation, type Verdict } from './definition';
import { cleanNumber, dialedOf } from './dialed-number';
import { inDialog } from './in-dialog';

export interface UnauthenticatedCallSettings extends CommonSettings {
  /** addresses or CIDRs of trunks, carriers and peers that the proxy trusts by address */
  trusted_sources: string[];
  /** E.164 digits (no +) that start our own numbers (DIDs): calls to them are inbound, never outside */
  own_numbers: string[];
  /** without the collector's sip.to.e164, a number of at least this many digits is an outside number */
  min_digits: number;
  /** answered unauthenticated calls per window and source before a (critical) finding */
  min_answered: number;
  /** refused unauthenticated attempts to outside numbers per window and source before an alert */
  min_attempts: number;
  /** severity of the attempts alert */
  attempts_severity: CommonSettings['severity'];
}

/** Ranges no Internet source can come from: internal gateways and peers live there. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10', '::1/128'];

/** The outside number an INVITE dials (E.164 when the collector read it), or undefined. */
export function outsideNumber(r: SipFlow, s: Pick<UnauthenticatedCallSettings, 'own_numbers' | 'min_digits'>): string | undefined {
  // sip.to.e164 is set by the collector's dial-plan reading (issue 15); older records lack it
  const e164 = (r.sip.to as { e164?: unknown } | undefined)?.e164;
  let number: string;
  if (typeof e164 === 'string' && /^\+\d{4,15}$/.test(e164)) number = e164;
  else {
    const dialed = dialedOf(r);
    const clean = dialed === undefined ? undefined : cleanNumber(dialed);
    if (clean === undefined || clean.replace(/^\+/, '').length < s.min_digits) return undefined;
    number = clean;
  }
  const digits = number.replace(/^\+/, '');
  return s.own_numbers.some((p) => digits.startsWith(p)) ? undefined : number;
}

/** the proxy asked for credentials: the gateway is closed */
const CHALLENGES: ReadonlySet<number> = new Set([401, 407]);

const isAnswered = (status: number | undefined): boolean => status !== undefined && status >= 180 && status < 300;

export default defineDetector<UnauthenticatedCallSettings>({
  id: 'fraud/unauthenticated-call',
  name: 'Outside call answered without authentication (open gateway)',
  description: 'An INVITE to an outside number from a source that is no trusted trunk or peer is answered 18x or 2xx without ever being challenged.',
  category: 'fraud',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:open-gateway', mitre_technique: 'T1496' },
  remediation: 'block-source',
  observed: ['numbers'],
  escalates: true,
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'critical',
    trusted_sources: PRIVATE_RANGES,
    own_numbers: [],
    min_digits: 10,
    min_answered: 1,
    min_attempts: 10,
    attempts_severity: 'medium',
  },
  settingsSchema: {
    trusted_sources: { type: 'array', items: { type: 'string', maxLength: 64 } },
    own_numbers: { type: 'array', items: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    min_digits: { type: 'integer', minimum: 4, maximum: 32 },
    min_answered: { type: 'integer', minimum: 1 },
    min_attempts: { type: 'integer', minimum: 1 },
    attempts_severity: { enum: ['low', 'medium', 'high', 'critical'] },
  },
  resolve(s) {
    checkCidrs('trusted_sources', s.trusted_sources);
    return s;
  },
  keyOf: (r, s) => (inCidrs(r.source.ip, s.trusted_sources) ? undefined : r.source.ip),
  observe(r, s): Observation | undefined {
    if (r.sip.method.toUpperCase() !== 'INVITE' || inDialog(r)) return undefined;
    // credentials offered, or asked for: not an open gateway
    if (r.sip.auth_user !== undefined || r.sip.upstream_auth === true || (r.sip.status !== undefined && CHALLENGES.has(r.sip.status))) return undefined;
    const number = outsideNumber(r, s);
    if (number === undefined) return undefined;
    if (!isAnswered(r.sip.status)) return { count: { attempts: 1 }, distinct: { numbers: number }, sample: { number } };
    const proven = r.sip.source_proven === true;
    return {
      count: { answered: 1, answered_proven: proven ? 1 : 0 },
      distinct: { numbers: number },
      sample: { number, status: String(r.sip.status) },
    };
  },
  evaluate(w, s): Verdict | undefined {
    const answered = w.counts.answered ?? 0;
    const numbers = w.distinct.numbers ?? 0;
    if (answered >= s.min_answered) {
      const proven = w.counts.answered_proven ?? 0;
      return {
        counts: { answered, answered_proven: proven, attempts: w.counts.attempts ?? 0, numbers, threshold: s.min_answered },
        reason:
          `${w.key} had ${answered} call(s) to outside numbers answered without authentication in ${w.windowSeconds}s` +
          (w.sample.status ? ` (last: ${w.sample.number}, ${w.sample.status})` : '') +
          `: an open gateway; ${proven} of them acknowledged from that address` +
          (s.own_numbers.length === 0 ? '; alert only: own_numbers is not configured, so a carrier delivering calls to our numbers looks the same' : ''),
        // the block rests on the answered calls alone: proven when enough of them were acknowledged
        proven: proven >= s.min_answered,
        // without the operator's number ranges an unconfigured carrier's inbound calls look like an
        // open gateway's: page, never block an innocent carrier
        ...(s.own_numbers.length === 0 ? { remediation: 'alert-only' as const } : {}),
      };
    }
    const attempts = w.counts.attempts ?? 0;
    if (attempts < s.min_attempts) return undefined;
    return {
      counts: { attempts, numbers, threshold: s.min_attempts },
      reason: `${w.key} tried ${attempts} unauthenticated call(s) to ${numbers} outside number(s) in ${w.windowSeconds}s (last: ${w.sample.number}); none answered`,
      severity: s.attempts_severity,
      remediation: 'alert-only',
    };
  },
});
