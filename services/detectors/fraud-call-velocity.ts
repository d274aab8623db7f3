// A compromised account is milked fast: many calls in parallel and back to back. Only calls that
// leave the PBX cost money, so extensions (short numbers) do not count; a person places a few
// outside calls a minute at most. Trunks and dialers that place more need a higher threshold.
import { chargedAccount, outsideCallDigits } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';

export interface CallVelocitySettings extends CommonSettings {
  /** authorised outside calls (distinct Call-IDs) per window and account before a finding */
  min_calls: number;
  /** numbers shorter than this are extensions and do not count */
  min_digits: number;
}

export default defineDetector<CallVelocitySettings>({
  id: 'fraud/call-velocity',
  name: 'Call velocity of an account',
  description: 'An account places more authorised outside calls (distinct Call-IDs) within the window than a person would.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:toll', mitre_technique: 'T1496' },
  remediation: 'suspend-account',
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 900,
    severity: 'high',
    min_calls: 10,
    min_digits: 7,
  },
  settingsSchema: {
    min_calls: { type: 'integer', minimum: 2 },
    min_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const digits = outsideCallDigits(r, s.min_digits);
    if (digits === undefined) return undefined;
    // distinct Call-IDs: a re-INVITE inside a call (hold, codec change) is not a new call
    return { distinct: { calls: r.sip.call_id } };
  },
  evaluate(w, s) {
    const calls = w.distinct.calls ?? 0;
    if (calls < s.min_calls) return undefined;
    return {
      counts: { calls, threshold: s.min_calls },
      reason: `account ${w.key} placed ${calls} outside calls in ${w.windowSeconds}s (threshold ${s.min_calls})`,
    };
  },
});
