// Toll fraud (IRSF): a compromised account calls numbers whose terminating carrier shares the
// revenue: satellite and international networks, premium ranges of a few countries. One
// authorised call to such a range is enough to act; a 407 answer to an INVITE that carried no
// credentials has cost nothing and is left to the flood and brute-force detectors.
import { chargedAccount, isAuthorisedCall } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';
import { dialedOf, internationalDigits } from './dialed-number';
import { longestPrefix, readPrefixFile } from './prefix-list';

export interface HighCostSettings extends CommonSettings {
  /** international digits (country or network code first) that count as high cost */
  prefixes: string[];
  /** optional file of more prefixes, read once at start (CSV with a `prefix` column, or one per line) */
  prefix_file?: string;
  /** what marks a number as dialled in international form */
  international_prefixes: string[];
  /** authorised calls to high-cost numbers per window and account before a finding */
  min_calls: number;
}

/**
 * A small default, meant to be replaced by the operator's own list: ranges that rarely carry
 * legitimate business calls and top published IRSF reports.
 */
export const DEFAULT_HIGH_COST_PREFIXES = [
  '881', // Global Mobile Satellite System (Iridium, Globalstar ...)
  '882', // International Networks
  '883', // International Networks
  '870', // Inmarsat
  '979', // International Premium Rate Service
  '239', // São Tomé and Príncipe
  '252', // Somalia
  '371', // Latvia (premium ranges heavily used for IRSF)
];

export default defineDetector<HighCostSettings>({
  id: 'fraud/high-cost-destination',
  name: 'Call to a high-cost destination',
  description: 'An authorised INVITE of an account dials a number in international form whose prefix is on the high-cost list.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:irsf', mitre_technique: 'T1496' },
  remediation: 'suspend-account',
  observed: ['numbers'],
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'critical',
    prefixes: DEFAULT_HIGH_COST_PREFIXES,
    international_prefixes: ['+', '00', '011'],
    min_calls: 1,
  },
  settingsSchema: {
    prefixes: { type: 'array', items: { type: 'string', pattern: '^[0-9]{1,15}$' } },
    prefix_file: { type: 'string', minLength: 1 },
    international_prefixes: { type: 'array', items: { type: 'string', pattern: '^(\\+|[0-9]{1,6})$' }, minItems: 1 },
    min_calls: { type: 'integer', minimum: 1 },
  },
  resolve: (s) => (s.prefix_file ? { ...s, prefixes: [...s.prefixes, ...readPrefixFile(s.prefix_file)] } : s),
  keyOf: chargedAccount,
  observe(r, s) {
    if (!isAuthorisedCall(r)) return undefined;
    const dialed = dialedOf(r);
    const digits = dialed === undefined ? undefined : internationalDigits(dialed, s.international_prefixes);
    if (digits === undefined) return undefined;
    const prefix = longestPrefix(digits, s.prefixes);
    if (prefix === undefined) return undefined;
    return { count: { high_cost_calls: 1 }, distinct: { numbers: digits }, sample: { number: `+${digits}`, prefix } };
  },
  evaluate(w, s) {
    const calls = w.counts.high_cost_calls ?? 0;
    if (calls < s.min_calls) return undefined;
    return {
      counts: { high_cost_calls: calls, numbers: w.distinct.numbers ?? 0, threshold: s.min_calls },
      reason: `account ${w.key} called ${w.sample.number} (high-cost prefix ${w.sample.prefix}); ${calls} such call(s) in ${w.windowSeconds}s`,
    };
  },
});
