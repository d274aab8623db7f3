// Registration hijack: an account registers successfully from a second address while the binding
// from the first is still fresh. A phone re-registers from the address it has; an attacker with a
// cracked password registers from theirs, and calls or inbound calls may now go to them. A
// softphone that roams from Wi-Fi to mobile data looks the same, so this only alerts. Where the
// sensor also sees our own proxy forward the registration, that hop is not a second address.
import { chargedAccount } from './authorised-call';
import { checkCidrs, inCidrs } from './cidr-list';
import { defineDetector, type CommonSettings } from './definition';

export interface RegistrationHijackSettings extends CommonSettings {
  /** distinct addresses with a successful registration per window and account before a finding */
  min_sources: number;
  /** addresses or CIDRs of own proxies and SBCs that forward registrations */
  relays: string[];
}

export default defineDetector<RegistrationHijackSettings>({
  id: 'sip/registration-hijack',
  name: 'Registration from a second address',
  description: 'An account registers successfully from more than one address within the window (a binding lives about as long).',
  category: 'credential',
  keyType: 'account',
  methods: ['REGISTER'],
  labels: { behavior: 'sip:account-takeover', mitre_technique: 'T1078' },
  remediation: 'alert-only',
  observed: ['sources'],
  defaults: {
    enabled: true,
    // a little more than the usual registration interval, so the first binding is still fresh
    window_seconds: 600,
    suppress_seconds: 1800,
    severity: 'medium',
    min_sources: 2,
    relays: [],
  },
  settingsSchema: {
    min_sources: { type: 'integer', minimum: 2 },
    relays: { type: 'array', items: { type: 'string', maxLength: 64 } },
  },
  resolve(s) {
    checkCidrs('relays', s.relays);
    return s;
  },
  keyOf: chargedAccount,
  observe(r, s) {
    const status = r.sip.status;
    if (r.sip.method.toUpperCase() !== 'REGISTER' || status === undefined || status < 200 || status >= 300) return undefined;
    // a success with credentials: the sender answered our challenge, so the address is its own
    if (r.sip.auth_user === undefined || inCidrs(r.source.ip, s.relays)) return undefined;
    return { distinct: { sources: r.source.ip }, sample: { source: r.source.ip } };
  },
  evaluate(w, s) {
    const sources = w.distinct.sources ?? 0;
    if (sources < s.min_sources) return undefined;
    return {
      counts: { sources, threshold: s.min_sources },
      reason: `account ${w.key} registered from ${w.sample.source}, and from ${sources - 1} other address(es) in ${w.windowSeconds}s`,
    };
  },
});
