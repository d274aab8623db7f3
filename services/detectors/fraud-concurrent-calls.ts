// A compromised account is milked in parallel: dozens of calls at once, where a person holds one or
// two. A call is open from its answered INVITE (2xx) until a BYE with its Call-ID reaches this
// account's window, or, when no BYE does, until window_seconds after its last INVITE (a re-INVITE
// refreshes it). BYEs reach the account stage only when charged to the account (a proxy that
// stamps sip.account on in-dialog requests, or an authenticated BYE); without them the count is
// of calls answered within the window, an upper bound of the true concurrency. Only calls that
// leave the PBX count, as in fraud/call-velocity.
import { chargedAccount, outsideCallDigits } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';

export interface ConcurrentCallsSettings extends CommonSettings {
  /** open outside calls per account before a finding */
  max_calls: number;
  /** numbers shorter than this are extensions and do not count */
  min_digits: number;
}

export default defineDetector<ConcurrentCallsSettings>({
  id: 'fraud/concurrent-calls',
  name: 'Concurrent calls of an account',
  description: 'An account holds more answered outside calls open at once than a person would.',
  category: 'fraud',
  keyType: 'account',
  methods: ['INVITE', 'BYE'],
  labels: { behavior: 'fraud:toll', mitre_technique: 'T1496' },
  remediation: 'suspend-account',
  defaults: {
    enabled: true,
    window_seconds: 300,
    suppress_seconds: 900,
    severity: 'high',
    max_calls: 8,
    min_digits: 7,
  },
  settingsSchema: {
    max_calls: { type: 'integer', minimum: 1 },
    min_digits: { type: 'integer', minimum: 1, maximum: 32 },
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const method = r.sip.method.toUpperCase();
    if (method === 'BYE') return { forget: { open: r.sip.call_id } };
    // an answered call to an outside number opens; anything else does not
    if (r.sip.status === undefined || r.sip.status < 200 || r.sip.status >= 300) return undefined;
    if (outsideCallDigits(r, s.min_digits) === undefined) return undefined;
    return { distinct: { open: r.sip.call_id } };
  },
  evaluate(w, s) {
    const open = w.distinct.open ?? 0;
    if (open <= s.max_calls) return undefined;
    return {
      counts: { open_calls: open, threshold: s.max_calls },
      reason: `account ${w.key} holds ${open} outside calls open (more than ${s.max_calls})`,
    };
  },
});
