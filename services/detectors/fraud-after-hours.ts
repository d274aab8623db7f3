// Toll fraud runs when nobody watches: nights and weekends. An outside call placed by an account
// of a tenant outside that tenant's business hours (in its own time zone) is worth a look; how
// much depends on the tenant, so the detector is silent until hours are configured. Alerts only:
// people do work late.
import { chargedAccount, outsideCallDigits } from './authorised-call';
import { BUSINESS_HOURS_SCHEMA, withinHours, zoneFormat, type BusinessHours } from './business-hours';
import { defineDetector, type CommonSettings } from './definition';

export interface AfterHoursSettings extends CommonSettings {
  /** per tenant (organization id), or `default` for every other record; none: silent */
  business_hours: Record<string, BusinessHours>;
  /** outside calls out of hours per window and account before a finding */
  min_calls: number;
  /** numbers shorter than this are extensions and do not count */
  min_digits: number;
}

export default defineDetector<AfterHoursSettings>({
  id: 'fraud/after-hours',
  name: 'Outside calls after business hours',
  description: "An account places outside calls outside its tenant's configured business hours.",
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:toll', mitre_technique: 'T1496' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'medium',
    business_hours: {},
    min_calls: 3,
    min_digits: 7,
  },
  settingsSchema: {
    business_hours: { type: 'object', additionalProperties: BUSINESS_HOURS_SCHEMA },
    min_calls: { type: 'integer', minimum: 1 },
    min_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  resolve(s) {
    for (const [tenant, h] of Object.entries(s.business_hours)) {
      try {
        zoneFormat(h.time_zone);
      } catch {
        throw new Error(`business_hours.${tenant}.time_zone: unknown time zone ${h.time_zone}`);
      }
    }
    return s;
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const hours = s.business_hours[r.organization?.id ?? 'default'] ?? s.business_hours.default;
    if (hours === undefined) return undefined;
    if (outsideCallDigits(r, s.min_digits) === undefined) return undefined;
    if (withinHours(hours, Date.parse(r['@timestamp']))) return undefined;
    return { distinct: { calls: r.sip.call_id } };
  },
  evaluate(w, s) {
    const calls = w.distinct.calls ?? 0;
    if (calls < s.min_calls) return undefined;
    return {
      counts: { calls, threshold: s.min_calls },
      reason: `account ${w.key} placed ${calls} outside calls after business hours in ${w.windowSeconds}s (threshold ${s.min_calls})`,
    };
  },
});
