// Toll fraud (IRSF) by where a call goes, not by a fixed list: every answered call to an outside
// number gets a risk score from what the collector read of the number (services/collector/numbers)
// and what this source usually calls.
//   score = type score (premium rate, satellite and international networks high; fixed lines low)
//         + country score (the country's level, 1 to 3, in a risk list: data/country-risk.csv or
//           the operator's own file in the same format)
//         + prefix score when the number is on the operator's prefix list
//         + novelty score when the source has not called the country at least `usual_min_calls`
//           times (answered) within the window: its usual destinations lower the score.
// Keyed by source address, so it applies to authenticated and unauthenticated calls alike (an
// open gateway charges no account); a tenant's PBX or SBC is one source, so what the key learns is
// that tenant's usual destinations. It alerts: the score is evidence for a person, and the
// account and open-gateway detectors take the blocking and suspending decisions.
// Not scored: calls from `trusted_sources` (our own proxies and gateways: private ranges by
// default), a proxy relaying a call it authenticated (the collector's sip.upstream_auth), and a
// call sent by the very address its To names (`sip:...@198.18.0.10` from 198.18.0.10: the proxy
// of that domain relaying the call on, To unchanged). Each such call was scored at its first hop,
// keyed by its caller.
import type { SipFlow } from '../core/records';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings } from './definition';
import { defaultCountryRiskFile, readCountryRiskFile, type CountryRisk } from './country-risk';
import { longestPrefix, readPrefixFile } from './prefix-list';

export interface DestinationRiskSettings extends CommonSettings {
  /** score of each number type (sip.to.number_type); types not listed score `type_scores.unknown` */
  type_scores: Record<string, number>;
  /** score of each country risk level (1 low, 2, 3 high); unlisted countries score 0 */
  country_scores: { '1': number; '2': number; '3': number };
  /** CSV with iso2 and risk columns; absent: the shipped default list */
  country_risk_file?: string;
  /** E.164 digits (country code first) the operator rates high */
  prefixes: string[];
  /** more prefixes, read once at start (CSV with a `prefix` column, or one per line) */
  prefix_file?: string;
  prefix_score: number;
  /** added when the source called the destination country fewer than usual_min_calls times (answered) in the window */
  novelty_score: number;
  usual_min_calls: number;
  /** a finding from this score on; `critical_score` and up makes it critical */
  min_score: number;
  critical_score: number;
  /** addresses or CIDRs of our own proxies, SBCs and gateways: their relayed legs are not scored */
  trusted_sources: string[];
  /** filled by resolve from country_risk_file, never from the configuration */
  country_risk?: CountryRisk;
}

/** A starting point for the operator's own list: ranges that rarely carry business calls and top published IRSF reports. */
export const DEFAULT_RISK_PREFIXES = ['881', '882', '883', '870', '979', '239', '252', '371'];

const TYPE_SCORES: Record<string, number> = {
  premium_rate: 45,
  satellite: 45,
  international_network: 45,
  shared_cost: 25,
  personal_number: 25,
  uan: 15,
  pager: 15,
  unknown: 15,
  voip: 10,
  mobile: 10,
  fixed_line_or_mobile: 10,
  fixed_line: 5,
  voicemail: 5,
  toll_free: 0,
};

const SCORE = { type: 'integer', minimum: 0, maximum: 100 };

/** Ranges no Internet source comes from: the platform's own proxies and gateways live there. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10', '::1/128'];

/** The counter of answered calls from the key to one destination (a country, or a non-geographic calling code). */
function destinationCounter(r: SipFlow): string | undefined {
  const to = r.sip.to;
  if (!to?.e164) return undefined;
  if (to.country) return `to:${to.country}`;
  return `to:+${to.e164.slice(1, 4)}`;
}

/** Score of a number without the novelty part, and what made it. */
export function baseScore(to: NonNullable<SipFlow['sip']['to']>, s: DestinationRiskSettings): { score: number; why: string[] } {
  const why: string[] = [];
  const type = to.number_type ?? 'unknown';
  const typeScore = s.type_scores[type] ?? s.type_scores.unknown ?? 0;
  if (typeScore) why.push(`${type} +${typeScore}`);
  const level = to.country ? s.country_risk?.[to.country] : undefined;
  const countryScore = level === 1 || level === 2 || level === 3 ? s.country_scores[String(level) as '1' | '2' | '3'] : 0;
  if (countryScore) why.push(`${to.country} risk ${level} +${countryScore}`);
  const prefix = to.e164 ? longestPrefix(to.e164.slice(1), s.prefixes) : undefined;
  if (prefix !== undefined && s.prefix_score) why.push(`listed prefix +${prefix} +${s.prefix_score}`);
  return { score: typeScore + countryScore + (prefix !== undefined ? s.prefix_score : 0), why };
}

export default defineDetector<DestinationRiskSettings>({
  id: 'fraud/destination-risk',
  name: 'Call to a risky destination',
  description: 'An answered INVITE (authenticated or not) to a number whose risk score (number type, country risk list, operator prefix list, and whether the source usually calls that country) reaches the threshold.',
  category: 'fraud',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:irsf', mitre_technique: 'T1496' },
  remediation: 'alert-only',
  observed: ['numbers', 'countries'],
  defaults: {
    enabled: true,
    window_seconds: 86_400,
    suppress_seconds: 3600,
    severity: 'high',
    type_scores: TYPE_SCORES,
    country_scores: { '1': 0, '2': 15, '3': 35 },
    prefixes: DEFAULT_RISK_PREFIXES,
    prefix_score: 40,
    novelty_score: 15,
    usual_min_calls: 3,
    min_score: 60,
    critical_score: 80,
    trusted_sources: PRIVATE_RANGES,
  },
  settingsSchema: {
    type_scores: { type: 'object', propertyNames: { pattern: '^[a-z_]{1,32}$' }, additionalProperties: SCORE, maxProperties: 32 },
    country_scores: { type: 'object', additionalProperties: false, properties: { '1': SCORE, '2': SCORE, '3': SCORE } },
    country_risk_file: { type: 'string', minLength: 1 },
    prefixes: { type: 'array', items: { type: 'string', pattern: '^[0-9]{1,15}$' }, maxItems: 100_000 },
    prefix_file: { type: 'string', minLength: 1 },
    prefix_score: SCORE,
    novelty_score: SCORE,
    usual_min_calls: { type: 'integer', minimum: 1, maximum: 1000 },
    min_score: { type: 'integer', minimum: 1, maximum: 400 },
    critical_score: { type: 'integer', minimum: 1, maximum: 400 },
    trusted_sources: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 10_000 },
  },
  resolve: (s) => {
    checkCidrs('trusted_sources', s.trusted_sources);
    return {
      ...s,
      type_scores: { ...TYPE_SCORES, ...s.type_scores },
      prefixes: s.prefix_file ? [...s.prefixes, ...readPrefixFile(s.prefix_file)] : s.prefixes,
      country_risk: readCountryRiskFile(s.country_risk_file ?? defaultCountryRiskFile()),
    };
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    const to = r.sip.to;
    const destination = destinationCounter(r);
    if (!to?.e164 || destination === undefined || r.sip.method.toUpperCase() !== 'INVITE') return undefined;
    // a proxy relaying a call it authenticated (set by the collector where it can tell) or our own gateway
    if ((r.sip as { upstream_auth?: boolean }).upstream_auth === true || to.domain === r.source.ip || inCidrs(r.source.ip, s.trusted_sources)) return undefined;
    const status = r.sip.status;
    // an INVITE refused, busy or unanswered cost nothing: the probing detectors see those
    if (status === undefined || status < 180 || status >= 300) return undefined;
    const { score, why } = baseScore(to, s);
    // what the source usually calls is learned from answered calls only, not from early media
    return {
      count: status >= 200 ? { calls: 1, [destination]: 1 } : { calls: 1 },
      // what a finding quotes (evidence.observed, once the engine fills it): the numbers and countries called
      distinct: { numbers: to.e164, countries: to.country ?? destination.slice(3) },
      sample: { e164: to.e164, country: to.country ?? '', type: to.number_type ?? 'unknown', destination, account: r.sip.account ?? r.sip.auth_user ?? '', answered: status >= 200 ? '1' : '', score: String(score), why: why.join(', ') },
    };
  },
  evaluate(w, s) {
    const { e164, country, type, destination, answered, why, account } = w.sample;
    if (!e164) return undefined;
    const earlier = (w.counts[destination] ?? 0) - (answered ? 1 : 0);
    const novel = earlier < s.usual_min_calls;
    const score = Number(w.sample.score) + (novel ? s.novelty_score : 0);
    if (score < s.min_score) return undefined;
    const parts = [why, novel ? `not a usual destination of this source (${earlier} earlier answered call(s)) +${s.novelty_score}` : `usual destination (${earlier} earlier answered calls)`].filter(Boolean);
    return {
      counts: { score, threshold: s.min_score, earlier_calls: earlier },
      severity: score >= s.critical_score ? 'critical' : s.severity,
      // the account the call was charged to, when there is one: the runbook suspends it
      reason: `${w.key}${account ? ` (account ${account})` : ''} called ${e164} (${country || 'non-geographic'}, ${type}): risk score ${score} >= ${s.min_score} (${parts.join('; ')})`,
    };
  },
});
