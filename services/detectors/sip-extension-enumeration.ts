// Extension enumeration (svwar): one source asks for many users and learns which exist from the
// answer, 404 for no such user against 401/407 for a real one. A phone asks for its own user; a
// caller who misdials gets a few 404s. Many distinct unknown users from one source is a wordlist.
// A PBX that answers unknown users with a challenge too (Asterisk alwaysauthreject) gives nothing
// away, and nothing shows here either. Over hours (the 1 h and 24 h horizons) a call centre's
// misdialled outside numbers add up, so those horizons count only requests without credentials:
// a scanner guesses before it has any; a customer's phone or PBX presents its own.
import { dialedOf } from './dialed-number';
import { defineDetector, type CommonSettings, type Observation } from './definition';

export interface EnumerationSettings extends CommonSettings {
  /** final statuses that mean "no such user" */
  unknown_statuses: number[];
  /** distinct users answered "no such user" per window before a finding */
  min_unknown_users: number;
  /** whether requests that carried credentials (an authenticated caller's misdials) count */
  include_authenticated: boolean;
}

/** Statuses that say a user exists: challenged, or served. */
const EXISTS = new Set([200, 401, 407]);

export default defineDetector<EnumerationSettings>({
  id: 'sip/extension-enumeration',
  name: 'SIP extension enumeration',
  description: 'One source asks for many distinct users within the window and most come back "no such user" (404).',
  category: 'recon',
  keyType: 'ip',
  labels: { behavior: 'sip:enumeration', mitre_technique: 'T1595.003' },
  remediation: 'block-source',
  observed: ['unknown_users', 'existing_users'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    unknown_statuses: [404, 604],
    min_unknown_users: 20,
    include_authenticated: true,
    horizons: [
      // 10 unknown users in 2 minutes, unauthenticated: a wordlist at 10 a minute is seen within the
      // minute; phones ask for their own users, and a misdial now and then is one or two
      { name: '2m', window_seconds: 120, suppress_seconds: 600, severity: 'medium', remediation: 'alert-only', min_unknown_users: 10, include_authenticated: false },
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_unknown_users: 30, include_authenticated: false },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_unknown_users: 60, include_authenticated: false },
    ],
  },
  settingsSchema: {
    unknown_statuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 699 }, minItems: 1 },
    min_unknown_users: { type: 'integer', minimum: 2 },
    include_authenticated: { type: 'boolean' },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s): Observation | undefined {
    const status = r.sip.status;
    const user = dialedOf(r);
    if (status === undefined || user === undefined) return undefined;
    if (s.unknown_statuses.includes(status)) {
      // observe serves every horizon (settings of the detector's own window): the horizons that
      // leave authenticated requests out read the second set
      return r.sip.auth_user !== undefined ? { distinct: { unknown_users: user } } : { distinct: { unknown_users: user, unknown_unauthenticated: user } };
    }
    // users that answered as existing: evidence of what the enumeration found
    if (EXISTS.has(status) && r.sip.auth_user === undefined) return { distinct: { existing_users: user } };
    return undefined;
  },
  evaluate(w, s) {
    const unknown = (s.include_authenticated ? w.distinct.unknown_users : w.distinct.unknown_unauthenticated) ?? 0;
    if (unknown < s.min_unknown_users) return undefined;
    const existing = w.distinct.existing_users ?? 0;
    return {
      counts: { unknown_users: unknown, existing_users: existing, threshold: s.min_unknown_users },
      reason: `${unknown} distinct unknown users (and ${existing} existing) asked for in ${w.windowSeconds}s (threshold ${s.min_unknown_users})`,
    };
  },
});
