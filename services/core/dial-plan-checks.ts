// What the schema cannot say about dial plans: a home country libphonenumber has no numbering plan
// for, and the key that dial plans replaced.
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { CallsentryConfig } from './config';
import { showValue } from './config-errors';

export function dialPlanProblems(cfg: CallsentryConfig): string[] {
  const problems: string[] = [];
  const plans = [['dial_plans.default', cfg.dial_plans.default] as const, ...Object.entries(cfg.dial_plans.tenants).map(([t, p]) => [`dial_plans.tenants.${t}`, p] as const)];
  for (const [where, plan] of plans) {
    if (plan.home_country !== undefined && !isSupportedCountry(plan.home_country)) {
      problems.push(`${where}.home_country: ${showValue(plan.home_country)} is not allowed; expected an ISO 3166 alpha-2 country with a numbering plan (US, GB, DE ...)`);
    }
  }
  if ((cfg.indexer as { international_prefixes?: unknown }).international_prefixes !== undefined) {
    problems.push('indexer.international_prefixes: this key was removed; the collector now reads every dialled number with a dial plan: set dial_plans.default.international_prefixes (docs/configuration.md, "Dial plans")');
  }
  return problems;
}
