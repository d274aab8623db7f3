import { parseConfig } from './config';
import { refusal } from './test-support/refusal';
import { DEFAULT_DIAL_PLAN, planOf } from './dial-plan';


describe('dial plans in the configuration', () => {
  it('gives a tenant its own keys over the default plan, and the default to everyone else', () => {
    const cfg = parseConfig('dial_plans:\n  tenants:\n    acme-uk: { home_country: GB, trunk_prefix: "0" }\n');
    expect(planOf(cfg.dial_plans, 'acme-uk')).toEqual({ ...DEFAULT_DIAL_PLAN, home_country: 'GB', trunk_prefix: '0' });
    expect(planOf(cfg.dial_plans, 'other')).toEqual(DEFAULT_DIAL_PLAN);
    expect(planOf(cfg.dial_plans, '__proto__')).toEqual(DEFAULT_DIAL_PLAN);
    expect(planOf(cfg.dial_plans, undefined)).toEqual(DEFAULT_DIAL_PLAN);
  });

  it.each([
    ['a country without a numbering plan', 'dial_plans:\n  default: { home_country: XX }\n', 'dial_plans.default.home_country: "XX" is not allowed; expected an ISO 3166 alpha-2 country'],
    ['a lower-case country', 'dial_plans:\n  tenants:\n    t1: { home_country: gb }\n', 'dial_plans.tenants.t1.home_country: "gb" is not allowed'],
    ['a prefix with letters', 'dial_plans:\n  default: { international_prefixes: ["0x"] }\n', 'dial_plans.default.international_prefixes[0]: "0x" is not allowed'],
    ['a carrier pattern starting with X', 'dial_plans:\n  default: { carrier_codes: ["XX1"] }\n', 'dial_plans.default.carrier_codes[0]: "XX1" is not allowed'],
    ['an unknown key', 'dial_plans:\n  default: { intl: ["00"] }\n', 'dial_plans.default.intl: unknown key'],
    ['the removed indexer key', 'indexer:\n  international_prefixes: ["+", "00"]\n', 'indexer.international_prefixes: this key was removed; the collector now reads every dialled number with a dial plan: set dial_plans.default.international_prefixes'],
  ])('refuses %s, naming it', (_what, text, message) => {
    expect(refusal(text)).toContain(message);
  });
});
