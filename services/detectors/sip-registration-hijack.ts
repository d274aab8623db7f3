// Registration hijack: an account registers successfully from a second address while the binding
// from the first is still fresh. A phone re-registers from the address it has; an attacker with a
// cracked password registers from theirs, and calls or inbound calls may now go to them. A
// softphone that roams from Wi-Fi to mobile data looks the same, so this only alerts.
//
// Our own proxies are no second address. Where the sensor sees a proxy or SBC forward the phone's
// registration to the registrar, the account seems to register from two addresses: the phone's
// and the proxy's (the real capture pcap-benign/heplify_sip_ipv4_tcp_retrans.pcap, where
// 172.168.0.228 relays 1001's REGISTER from 172.168.0.252 to the registrar 172.168.0.227, gave
// this finding). A relay shows itself in the account's own window: it is the server that another
// successful registration of the account was sent to. So a registration whose sender is such a
// server is a relay hop and never alarms, and one sent to a server that itself registered the
// account does not count that server as a second address. One hop is recognised this way, in
// either order of the two records; chains of proxies go in `relays`.
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
    return { distinct: { sources: r.source.ip, servers: r.destination.ip }, sample: { source: r.source.ip, server: r.destination.ip } };
  },
  evaluate(w, s) {
    // this registration came from a server another registration of the account went to: a relay hop
    if (w.has('servers', w.sample.source)) return undefined;
    // the server it went to registered the account too: it forwards, and is no second address
    const sources = (w.distinct.sources ?? 0) - (w.has('sources', w.sample.server) ? 1 : 0);
    if (sources < s.min_sources) return undefined;
    return {
      counts: { sources, threshold: s.min_sources },
      reason: `account ${w.key} registered from ${w.sample.source}, and from ${sources - 1} other address(es) in ${w.windowSeconds}s`,
    };
  },
});
