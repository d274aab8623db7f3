// Class of service, as a PBX has it: a lobby phone may call extensions, an office phone the
// country, sales the world. A call that gets through above its class means the proxy's rules were
// bypassed or are wrong, and a phone in the lobby dialling abroad is how toll fraud starts.
// Accounts in no group are unrestricted, so the detector is silent until groups are configured.
import { chargedAccount, isAuthorisedCall } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';
import { cleanNumber, dialedOf, internationalDigits } from './dialed-number';

export type Reach = 'internal' | 'national' | 'international';
const RANK: Record<Reach, number> = { internal: 0, national: 1, international: 2 };

export interface ClassOfServiceSettings extends CommonSettings {
  /** user groups: the accounts in each and the farthest they may call */
  groups: Record<string, { accounts: string[]; allow: Reach }>;
  /** country code of the PBX: a number in international form with it is a national call; empty: none */
  home_country_code: string;
  /** what marks a number as dialled in international form */
  international_prefixes: string[];
  /** shorter numbers are extensions (internal) */
  min_digits: number;
}

/**
 * How far a dialled number reaches, or undefined when it is not a number. With the home country
 * code set, the collector's reading of the number (`e164`) decides, whatever prefix was dialled
 * before it (`9011...`, `1010333011...`); otherwise, and for numbers the collector could not read,
 * the dialled form does.
 */
export function reachOf(dialed: string, s: ClassOfServiceSettings, e164?: string): Reach | undefined {
  if (e164 !== undefined && s.home_country_code) return e164.startsWith(`+${s.home_country_code}`) ? 'national' : 'international';
  const intl = internationalDigits(dialed, s.international_prefixes);
  if (intl !== undefined) return s.home_country_code && intl.startsWith(s.home_country_code) ? 'national' : 'international';
  const digits = cleanNumber(dialed);
  if (digits === undefined) return undefined;
  return digits.length >= s.min_digits ? 'national' : 'internal';
}

// account -> allowed reach, built once per groups object (settings live as long as the engine)
const allowances = new WeakMap<object, Map<string, Reach>>();

function allowanceOf(account: string, groups: ClassOfServiceSettings['groups']): Reach | undefined {
  let map = allowances.get(groups);
  if (!map) {
    map = new Map();
    // an account in several groups gets the most restrictive class
    for (const g of Object.values(groups)) for (const a of g.accounts) if (!map.has(a) || RANK[g.allow] < RANK[map.get(a)!]) map.set(a, g.allow);
    allowances.set(groups, map);
  }
  return map.get(account);
}

export default defineDetector<ClassOfServiceSettings>({
  id: 'fraud/class-of-service',
  name: 'Call above the class of service',
  description: 'An authorised call of an account reaches farther (national, international) than its user group allows.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:class-of-service', mitre_technique: 'T1496' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'high',
    groups: {},
    home_country_code: '',
    international_prefixes: ['+', '00', '011'],
    min_digits: 7,
  },
  settingsSchema: {
    groups: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['accounts', 'allow'],
        properties: {
          accounts: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 } },
          allow: { enum: ['internal', 'national', 'international'] },
        },
      },
    },
    home_country_code: { type: 'string', pattern: '^([1-9][0-9]{0,2})?$' },
    international_prefixes: { type: 'array', items: { type: 'string', pattern: '^(\\+|[0-9]{1,6})$' }, minItems: 1 },
    min_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const account = chargedAccount(r);
    const dialed = dialedOf(r);
    if (account === undefined || dialed === undefined || !isAuthorisedCall(r)) return undefined;
    const allowed = allowanceOf(account, s.groups);
    const reach = reachOf(dialed, s, r.sip.to?.e164);
    if (allowed === undefined || reach === undefined || RANK[reach] <= RANK[allowed]) return undefined;
    return { count: { calls_above_class: 1 }, sample: { number: dialed, reach, allowed } };
  },
  evaluate: (w) => ({
    counts: { calls_above_class: w.counts.calls_above_class ?? 0 },
    reason: `account ${w.key} (allowed ${w.sample.allowed} calls) made an ${w.sample.reach} call to ${w.sample.number}`,
  }),
});
