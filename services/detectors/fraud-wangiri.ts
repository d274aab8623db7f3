// Wangiri ("one ring and cut"): a burst of inbound calls from international numbers that ring once
// and hang up before anyone answers, so that users call back a premium number. The calls arrive
// over a carrier trunk, so the key is the trunk's address (the calling numbers are the attacker's
// to pick and change). A cancelled call (487) from abroad to one user is a missed call; to many
// distinct users within a minute it is a campaign. Alerts only: the trunk is our carrier.
import { defineDetector, type CommonSettings } from './definition';
import { dialedOf, internationalDigits } from './dialed-number';

export interface WangiriSettings extends CommonSettings {
  /** final statuses of a call the caller abandoned while it rang */
  abandoned_statuses: number[];
  /** distinct users rung by abandoned international calls per window and trunk before a finding */
  min_users: number;
  /** what marks a calling number as international */
  international_prefixes: string[];
  /** own country code: calling numbers in international form with it are national; unset, none are */
  home_country_code?: string;
}

export default defineDetector<WangiriSettings>({
  id: 'fraud/wangiri',
  name: 'Wangiri (one-ring) call burst',
  description: 'A trunk delivers international calls that ring and are abandoned to many distinct users within the window.',
  category: 'fraud',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'fraud:wangiri', mitre_technique: 'T1566' },
  remediation: 'alert-only',
  observed: ['users'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 900,
    severity: 'medium',
    abandoned_statuses: [487],
    min_users: 10,
    international_prefixes: ['+', '00', '011'],
  },
  settingsSchema: {
    abandoned_statuses: { type: 'array', items: { type: 'integer', minimum: 400, maximum: 699 }, minItems: 1 },
    min_users: { type: 'integer', minimum: 2 },
    international_prefixes: { type: 'array', items: { type: 'string', pattern: '^(\\+|[0-9]{1,6})$' }, minItems: 1 },
    home_country_code: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s) {
    if (r.sip.method.toUpperCase() !== 'INVITE' || r.sip.status === undefined || !s.abandoned_statuses.includes(r.sip.status)) return undefined;
    const caller = r.sip.from?.user;
    const digits = caller === undefined ? undefined : internationalDigits(caller, s.international_prefixes);
    if (digits === undefined || (s.home_country_code !== undefined && digits.startsWith(s.home_country_code))) return undefined;
    const user = dialedOf(r);
    return user === undefined ? undefined : { distinct: { users: user } };
  },
  evaluate(w, s) {
    const users = w.distinct.users ?? 0;
    if (users < s.min_users) return undefined;
    return {
      counts: { users, threshold: s.min_users },
      reason: `${users} users rung by abandoned international calls from ${w.key} in ${w.windowSeconds}s (threshold ${s.min_users})`,
    };
  },
});
