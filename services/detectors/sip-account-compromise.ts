// Account compromise: the guessing worked. A success for an account (a REGISTER answered 2xx, or
// an INVITE answered 18x/2xx, with credentials) comes from a source that had credentials for that
// account refused before, while refusals for the account piled up within the window (summed over
// every source, as NEMEA's sip_bf_detector does: a botnet spreads its guesses). Critical: the
// account is in an attacker's hands; suspend it.
//
// A phone with a stale password looks like this too, slowly: it retries every 30-60 s from its own
// network with its own User-Agent, until someone types the new password. So when every refusal came
// from the network and User-Agent family of the success, and the account succeeded from no other
// network, it takes `retry_failures` refusals (far more than retries make) to call it a breach.
//
// Suspension needs proof that the refusals came from the address that then succeeded: a forger can
// write refused REGISTERs "from" a phone's address, and the phone's next registration would look
// like a breach. The finding is proven only when the success and at least one refusal from the same
// address proved themselves (our nonce, our tag, a connection); otherwise it is `unproven_severity`
// (high: no page) and the policy only alerts.
//
// Lower severity, alert-only: a REGISTER whose User-Agent family differs from the account's
// others within the window, and a REGISTER from a network (/24, /48) the account did not use
// within the window (a horizon of a day makes that "never used today"). A desk phone and a
// softphone on one account, or a roaming phone, look the same: hence low, and alerts only.
//
// A proxy or SBC that forwards the account's requests (the sensor sees both hops) is recognised as
// in sip/registration-hijack: it is a server the account's requests went to. Its hop is not judged,
// and its network is no second network.
//
// Not seen here: a source that failed on *other* accounts and then succeeds on a new one at its
// first try (credential stuffing that hit); the account's window holds no refusal. The source-keyed
// sip/credential-stuffing flags that source.
import { chargedAccount } from '../core/accounts';
import { networkAt } from '../core/source-network';
import type { SipFlow } from '../core/records';
import { isCredentialFailure } from './authorised-call';
import { defineDetector, type CommonSettings, type Observation, type Verdict } from './definition';

export interface AccountCompromiseSettings extends CommonSettings {
  /** refused credentials for the account (all sources) per window before a success from one of them is a breach */
  min_failures: number;
  /** refusals needed when they all came from the success's own network and User-Agent family (a stale password) */
  retry_failures: number;
  /** flag a REGISTER whose User-Agent family is new for the account within the window */
  flag_ua_change: boolean;
  /** flag a REGISTER from a network the account did not register from within the window */
  flag_new_network: boolean;
  /** severity of those flags (alert-only) */
  flag_severity: CommonSettings['severity'];
  /** severity of a breach whose refusals from the succeeding address proved nothing (alert-only by policy) */
  unproven_severity: CommonSettings['severity'];
  /** prefix lengths of a network */
  ipv4_prefix: number;
  ipv6_prefix: number;
}

/** The source's network (/24, /48 by default), canonical; the address itself when it is no address. */
export function networkOf(ip: string, v4: number, v6: number): string {
  return networkAt(ip, v4, v6) ?? ip;
}

/** First word of a User-Agent, lower case: `Yealink SIP-T54W 96.86` and `Linphone/5.2` give `yealink`, `linphone`. */
export function uaFamily(ua: string | undefined): string {
  const m = ua === undefined ? null : /^[\s"']*([A-Za-z][A-Za-z_-]{0,31})/.exec(ua);
  return m ? m[1].toLowerCase() : '-';
}

function isSuccess(r: SipFlow): boolean {
  const status = r.sip.status;
  if (r.sip.auth_user === undefined || status === undefined) return false;
  const method = r.sip.method.toUpperCase();
  if (method === 'REGISTER') return status >= 200 && status < 300;
  return method === 'INVITE' && status >= 180 && status < 300;
}

export default defineDetector<AccountCompromiseSettings>({
  id: 'sip/account-compromise',
  name: 'Account compromise: success after refused credentials',
  description: 'A REGISTER or INVITE succeeds with credentials from a source that had credentials for the account refused, among many refusals for it.',
  category: 'credential',
  keyType: 'account',
  methods: ['REGISTER', 'INVITE'],
  labels: { behavior: 'sip:account-takeover', mitre_technique: 'T1078' },
  remediation: 'suspend-account',
  observed: ['failed_sources', 'failed_nets'],
  escalates: true,
  defaults: {
    enabled: true,
    window_seconds: 600,
    suppress_seconds: 3600,
    severity: 'critical',
    min_failures: 30,
    retry_failures: 300,
    flag_ua_change: true,
    flag_new_network: true,
    flag_severity: 'low',
    unproven_severity: 'high',
    ipv4_prefix: 24,
    ipv6_prefix: 48,
  },
  settingsSchema: {
    min_failures: { type: 'integer', minimum: 1 },
    retry_failures: { type: 'integer', minimum: 1 },
    flag_ua_change: { type: 'boolean' },
    flag_new_network: { type: 'boolean' },
    flag_severity: { enum: ['low', 'medium', 'high', 'critical'] },
    unproven_severity: { enum: ['low', 'medium', 'high', 'critical'] },
    ipv4_prefix: { type: 'integer', minimum: 8, maximum: 32 },
    ipv6_prefix: { type: 'integer', minimum: 16, maximum: 128 },
  },
  // the partition key of the by-account topic: the account a proxy charged, else the digest user
  keyOf: chargedAccount,
  observe(r, s): Observation | undefined {
    const method = r.sip.method.toUpperCase();
    if (method !== 'REGISTER' && method !== 'INVITE') return undefined;
    const source = r.source.ip;
    const network = networkOf(source, s.ipv4_prefix, s.ipv6_prefix);
    const family = uaFamily(r.user_agent?.original);
    const proven = r.sip.source_proven === true;
    // where requests for the account go: a source among them is a proxy relaying them (one hop)
    const server = r.destination.ip;
    if (isCredentialFailure(r)) {
      const distinct: Record<string, string> = { failed_sources: source, failed_nets: network, failed_uas: family, servers: server };
      if (proven) distinct.proven_failed_sources = source;
      return { count: { failures: 1 }, distinct };
    }
    if (!isSuccess(r)) return undefined;
    const register = method === 'REGISTER';
    const distinct: Record<string, string> = { success_nets: network, servers: server };
    if (register) {
      distinct.register_nets = network;
      distinct.register_uas = family;
    }
    return {
      count: { successes: 1 },
      distinct,
      sample: {
        success: register ? 'REGISTER' : 'INVITE',
        source,
        network,
        family,
        server,
        server_net: networkOf(server, s.ipv4_prefix, s.ipv6_prefix),
        proven: proven ? 'yes' : 'no',
      },
    };
  },
  evaluate(w, s): Verdict | undefined {
    const { success, source, network, family, server_net: serverNet } = w.sample;
    // the success of a proxy relaying it: the phone's own hop is judged
    if (success === undefined || w.has('servers', source)) return undefined;
    const failures = w.counts.failures ?? 0;
    // a proxy this success went to, and that itself sent requests for the account, is not another network
    const relayed = (set: string): number => (w.distinct[set] ?? 0) - (w.has(set, serverNet) && serverNet !== network ? 1 : 0);
    const d: Record<string, number> = { ...w.distinct, failed_nets: relayed('failed_nets'), success_nets: relayed('success_nets'), register_nets: relayed('register_nets') };
    const failedHere = w.has('failed_sources', source) || w.has('failed_nets', network);
    if (failedHere && failures >= s.min_failures) {
      // every refusal from one or two addresses (DHCP) of this network and UA family, and no other
      // network succeeded: one device retrying
      const oneDevice =
        (d.failed_sources ?? 0) <= 2 && (d.failed_nets ?? 0) <= 1 && (d.failed_uas ?? 0) <= 1 && (d.success_nets ?? 0) <= 1 && w.has('failed_nets', network) && w.has('failed_uas', family);
      if (!oneDevice || failures >= s.retry_failures) {
        const proven = w.sample.proven === 'yes' && w.has('proven_failed_sources', source);
        return {
          counts: { failures, failed_sources: d.failed_sources ?? 0, success_networks: d.success_nets ?? 0, threshold: oneDevice ? s.retry_failures : s.min_failures },
          reason:
            `account ${w.key}: ${success} succeeded from ${source} (${family}) after ${failures} refused credentials for it from ${d.failed_sources ?? 0} source(s) in ${w.windowSeconds}s, ${source} or its network among them` +
            (proven ? '' : '; unproven: no refusal from that address proved itself, they may have been forged from it'),
          proven,
          // forged refusals "from" a phone before its next registration look the same: no page, no suspension
          ...(proven ? {} : { severity: s.unproven_severity }),
        };
      }
    }
    if (success !== 'REGISTER') return undefined;
    const uas = d.register_uas ?? 0;
    if (s.flag_ua_change && uas >= 2) {
      return {
        counts: { user_agent_families: uas },
        reason: `account ${w.key} registered from ${source} as ${family}, one of ${uas} User-Agent families in ${w.windowSeconds}s`,
        severity: s.flag_severity,
        remediation: 'alert-only',
      };
    }
    const nets = d.register_nets ?? 0;
    if (s.flag_new_network && nets >= 2) {
      return {
        counts: { networks: nets },
        reason: `account ${w.key} registered from ${source}, in ${network}: one of ${nets} networks in ${w.windowSeconds}s`,
        severity: s.flag_severity,
        remediation: 'alert-only',
      };
    }
    return undefined;
  },
});
