// Dial plans: how the phones of a tenant dial out, so the collector can read every dialled string
// as one E.164 number (services/collector/numbers). A tenant (organization.id) without a plan of
// its own uses the default plan; a tenant's plan names only what differs from the default.
// Patterns of carrier codes use X for any digit: `101XXXX` is a NANP carrier access code.

export interface DialPlan {
  /** ISO 3166 alpha-2 country the phones are in: national numbers are read as numbers of it */
  home_country: string;
  /** what starts an international number: `+`, `00`, `011`, `0011`, `010` ... */
  international_prefixes: string[];
  /** digits that take an outside line before any number (`9`, `0`); none when phones dial direct */
  outside_line: string[];
  /** carrier access or selection codes that may stand before the international prefix or number, X = any digit */
  carrier_codes: string[];
  /** national trunk prefix before a national number (`0` in most of Europe, `1` in the NANP), '' for none */
  trunk_prefix: string;
}

export interface DialPlans {
  default: DialPlan;
  /** per tenant (organization.id): the keys that differ from the default plan */
  tenants: Record<string, Partial<DialPlan>>;
}

export const DEFAULT_DIAL_PLAN: DialPlan = {
  home_country: 'US',
  international_prefixes: ['+', '00', '011'],
  outside_line: ['9'],
  carrier_codes: ['101XXXX'],
  trunk_prefix: '1',
};

export const DEFAULT_DIAL_PLANS: DialPlans = { default: DEFAULT_DIAL_PLAN, tenants: {} };

const PLAN_PROPERTIES = {
  home_country: { type: 'string', pattern: '^[A-Z]{2}$' },
  international_prefixes: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: { type: 'string', pattern: '^(\\+|[0-9]{2,4})$' } },
  outside_line: { type: 'array', maxItems: 8, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{1,2}$' } },
  carrier_codes: { type: 'array', maxItems: 16, uniqueItems: true, items: { type: 'string', pattern: '^[0-9][0-9X]{1,7}$' } },
  trunk_prefix: { type: 'string', pattern: '^[0-9]{0,2}$' },
} as const;

/** JSON Schema of the `dial_plans` block of the configuration. */
export const DIAL_PLANS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { type: 'object', additionalProperties: false, properties: PLAN_PROPERTIES },
    tenants: {
      type: 'object',
      maxProperties: 10_000,
      propertyNames: { minLength: 1, maxLength: 128 },
      additionalProperties: { type: 'object', additionalProperties: false, properties: PLAN_PROPERTIES },
    },
  },
} as const;

/** The plan a tenant dials with: its own keys over the default plan. */
export function planOf(plans: DialPlans, tenant: string | undefined): DialPlan {
  const own = tenant !== undefined && Object.hasOwn(plans.tenants, tenant) ? plans.tenants[tenant] : undefined;
  return own ? { ...plans.default, ...own } : plans.default;
}
