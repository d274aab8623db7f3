// Settings of the verdict service (services/verdicts): where it listens, who may ask, and the limits
// every pre-call verdict is judged against. Kept apart from config.ts, which only includes them.
import { parseCidr } from './cidr';

export interface ClassOfService {
  /** may call numbers outside verdicts.home_country */
  international: boolean;
  /** may call premium-rate, shared-cost and other high-risk number types (verdicts.risk.number_types) */
  premium: boolean;
}

export interface LocalIntlLimit {
  local: number;
  international: number;
}

export interface SpendLimit {
  hour: number;
  day: number;
}

export interface VerdictSettings {
  /** HOST:PORT of the HTTP interface (POST /v1/verdict); null: off */
  http_listen: string | null;
  /** HOST:PORT of the SIP redirect server (UDP and TCP); null: off */
  sip_listen: string | null;
  /** proxies the SIP redirect server answers beyond loopback (addresses or CIDRs) */
  sip_clients: string[];
  /** environment variable holding the bearer token; without one, only loopback listen addresses are accepted */
  token_env: string;
  /** `dry-run`: every verdict is allow, and a would-be deny says so in its reason */
  mode: 'enforce' | 'dry-run';
  /** how long a caller may cache an allow (ttl_seconds of the answer) */
  allow_ttl_seconds: number;
  /** largest HTTP body and SIP message accepted */
  max_request_bytes: number;
  /** the country whose numbers are local; numbers without + or 00 are read as this country's */
  home_country: string;
  /** CSV of `prefix,price_per_minute` (E.164 digits without +); null: every call costs 0 */
  rate_deck_file: string | null;
  /** account -> class of service name, tenant */
  accounts: Record<string, { class?: string; tenant?: string }>;
  classes: Record<string, ClassOfService>;
  default_class: string;
  /** destinations denied unless the class allows premium: by country (ISO 3166) and by libphonenumber type */
  risk: { countries: string[]; number_types: string[] };
  /** an account finding (fraud/*) of at least this severity flags the account for flag_seconds */
  flag: { min_severity: 'low' | 'medium' | 'high' | 'critical'; seconds: number };
  concurrent: { account: LocalIntlLimit; tenant: LocalIntlLimit };
  /** spend quotas in the rate deck's currency; 0: no quota */
  spend: { account: SpendLimit; tenant: SpendLimit; warn_fraction: number };
  /** international calls per hour: history over `days`, allowed `multiple` times the usual hour; `hard_cap` until there is history */
  baseline: { days: number; multiple: number; hard_cap: number; min_history_hours: number };
  /** an answered call without BYE seen is taken as ended after this long */
  max_call_seconds: number;
  /** one deny-call decision per target per window; the others are counted on it */
  decision_window_seconds: number;
  /** call ledgers (accounts and tenants) one input partition holds; past it, the least recently seen without an answered call goes */
  max_ledgers_per_partition: number;
}

export const DEFAULT_VERDICTS: VerdictSettings = {
  http_listen: '127.0.0.1:9480',
  sip_listen: '127.0.0.1:5070',
  sip_clients: [],
  token_env: 'CALLSENTRY_VERDICT_TOKEN',
  mode: 'enforce',
  allow_ttl_seconds: 5,
  max_request_bytes: 8192,
  home_country: 'US',
  rate_deck_file: null,
  accounts: {},
  classes: {
    local: { international: false, premium: false },
    standard: { international: true, premium: false },
    unrestricted: { international: true, premium: true },
  },
  default_class: 'standard',
  risk: { countries: [], number_types: ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'PERSONAL_NUMBER'] },
  flag: { min_severity: 'high', seconds: 3600 },
  concurrent: { account: { local: 20, international: 5 }, tenant: { local: 500, international: 50 } },
  spend: { account: { hour: 50, day: 200 }, tenant: { hour: 1000, day: 5000 }, warn_fraction: 0.8 },
  baseline: { days: 7, multiple: 3, hard_cap: 10, min_history_hours: 24 },
  max_call_seconds: 14_400,
  decision_window_seconds: 300,
  max_ledgers_per_partition: 50_000,
};

const listen = { anyOf: [{ type: 'null' }, { type: 'string', pattern: '^[^\\s]+:\\d+$' }] };
const count = { type: 'integer', minimum: 0, maximum: 1_000_000 };
const money = { type: 'number', minimum: 0, maximum: 1e9 };
const localIntl = { type: 'object', additionalProperties: false, properties: { local: count, international: count } };
const spendLimit = { type: 'object', additionalProperties: false, properties: { hour: money, day: money } };

export const VERDICTS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    http_listen: listen,
    sip_listen: listen,
    sip_clients: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 } },
    token_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' },
    mode: { enum: ['enforce', 'dry-run'] },
    allow_ttl_seconds: { type: 'integer', minimum: 0, maximum: 3600 },
    max_request_bytes: { type: 'integer', minimum: 512, maximum: 65536 },
    home_country: { type: 'string', pattern: '^[A-Z]{2}$' },
    rate_deck_file: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 1 }] },
    accounts: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { class: { type: 'string', minLength: 1 }, tenant: { type: 'string', minLength: 1 } },
      },
    },
    classes: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['international', 'premium'],
        properties: { international: { type: 'boolean' }, premium: { type: 'boolean' } },
      },
    },
    default_class: { type: 'string', minLength: 1 },
    risk: {
      type: 'object',
      additionalProperties: false,
      properties: {
        countries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
        number_types: { type: 'array', items: { enum: ['PREMIUM_RATE', 'SHARED_COST', 'UAN', 'PAGER', 'PERSONAL_NUMBER', 'SATELLITE', 'INTERNATIONAL_NETWORK', 'VOIP', 'TOLL_FREE', 'VOICEMAIL', 'MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'UNKNOWN'] } },
      },
    },
    flag: {
      type: 'object',
      additionalProperties: false,
      properties: { min_severity: { enum: ['low', 'medium', 'high', 'critical'] }, seconds: { type: 'integer', minimum: 1, maximum: 31_536_000 } },
    },
    concurrent: { type: 'object', additionalProperties: false, properties: { account: localIntl, tenant: localIntl } },
    spend: { type: 'object', additionalProperties: false, properties: { account: spendLimit, tenant: spendLimit, warn_fraction: { type: 'number', exclusiveMinimum: 0, maximum: 1 } } },
    baseline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        days: { type: 'integer', minimum: 1, maximum: 90 },
        multiple: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
        hard_cap: count,
        min_history_hours: { type: 'integer', minimum: 1, maximum: 2160 },
      },
    },
    max_call_seconds: { type: 'integer', minimum: 60, maximum: 604_800 },
    decision_window_seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    max_ledgers_per_partition: { type: 'integer', minimum: 100, maximum: 10_000_000 },
  },
} as const;

/** What the schema cannot say: a class that does not exist. */
export function verdictProblems(v: VerdictSettings): string[] {
  const problems: string[] = [];
  v.sip_clients.forEach((c, i) => {
    try {
      parseCidr(c);
    } catch {
      problems.push(`verdicts.sip_clients[${i}]: '${c}' is not an address or CIDR range`);
    }
  });
  if (!v.classes[v.default_class]) problems.push(`verdicts.default_class: '${v.default_class}' is not one of verdicts.classes (${Object.keys(v.classes).join(', ')})`);
  for (const [account, a] of Object.entries(v.accounts)) {
    if (a.class !== undefined && !v.classes[a.class]) problems.push(`verdicts.accounts.${account}.class: '${a.class}' is not one of verdicts.classes (${Object.keys(v.classes).join(', ')})`);
  }
  return problems;
}
