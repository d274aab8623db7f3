// A slow campaign: one source works on the provider for hours, whatever the method, touching many
// of its addresses (a REGISTER or OPTIONS here and there across a /24 of SBCs) or many distinct
// accounts and extensions that it never gets into. Each request alone is unremarkable and each
// per-method detector sees too little; what gives it away is the breadth.
// Breadth is counted on what a customer's site does not do: a NAT'd office talks to one or two
// proxies, and its 200 phones are challenged, then registered, so every account it is refused for
// it also gets into. So the accounts counted are those refused from the source, less those
// accepted from it (sizes of sets: a difference of estimates once a set is past its exact bound),
// and the addresses are those reached by requests the source never proved it sent. A campaign is
// spread over time: the source must have been at it in several distinct minutes, so a flood of a
// few seconds (the flood detectors' business) is not also called a campaign.
import { defineDetector, type CommonSettings, type Observation } from './definition';
import type { SipFlow } from '../core/records';

export interface CampaignSettings extends CommonSettings {
  /** distinct addresses of ours reached by unproven requests from one source, per window, before a finding */
  min_destinations: number;
  /** distinct accounts refused (less those accepted) from one source, per window, before a finding */
  min_accounts: number;
  /** distinct minutes in which the source sent such requests, per window, before a finding */
  min_active_minutes: number;
}

/** The account a request speaks for: the address of record a REGISTER binds, else the digest user. */
function accountOf(r: SipFlow): string | undefined {
  return r.sip.method.toUpperCase() === 'REGISTER' ? (r.sip.to?.user ?? r.sip.auth_user) : r.sip.auth_user;
}

export default defineDetector<CampaignSettings>({
  id: 'sip/campaign',
  name: 'Slow SIP campaign from one source',
  description: 'One source reaches many of our addresses, or is refused for many distinct accounts it never gets into, over hours, whatever the method.',
  category: 'recon',
  keyType: 'ip',
  labels: { behavior: 'sip:scan', mitre_technique: 'T1595' },
  remediation: 'block-source',
  observed: ['destinations', 'accounts'],
  defaults: {
    enabled: true,
    window_seconds: 3600,
    suppress_seconds: 3600,
    severity: 'high',
    min_destinations: 10,
    min_accounts: 30,
    min_active_minutes: 1,
    horizons: [{ name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_destinations: 20, min_accounts: 60 }],
  },
  settingsSchema: {
    min_destinations: { type: 'integer', minimum: 2 },
    min_accounts: { type: 'integer', minimum: 2 },
    min_active_minutes: { type: 'integer', minimum: 1, maximum: 1440 },
  },
  keyOf: (r) => r.source.ip,
  observe(r): Observation | undefined {
    const status = r.sip.status;
    if (r.sip.method.toUpperCase() === 'ACK') return undefined;
    // the minute of the record, as its timestamp writes it (YYYY-MM-DDTHH:MM)
    const minute = r['@timestamp'].slice(0, 16);
    // unanswered: most of a provider's addresses answer nothing, and a sweep touches them all
    if (status === undefined) return { distinct: { minutes: minute, destinations: r.destination.ip } };
    const proven = r.sip.source_proven === true;
    const account = accountOf(r);
    if (status >= 200 && status < 300 && proven) return account === undefined ? undefined : { distinct: { accepted: account }, ifKeyed: true };
    const refused = status >= 300 && account !== undefined;
    if (proven && !refused) return undefined;
    const distinct: Record<string, string> = { minutes: minute };
    if (!proven) distinct.destinations = r.destination.ip;
    if (refused) distinct.accounts = account;
    return { distinct };
  },
  evaluate(w, s) {
    const destinations = w.distinct.destinations ?? 0;
    const accounts = w.distinct.accounts ?? 0;
    const accepted = w.distinct.accepted ?? 0;
    if (destinations < s.min_destinations && accounts - accepted < s.min_accounts) return undefined;
    if ((w.distinct.minutes ?? 0) < s.min_active_minutes) return undefined;
    return {
      counts: { destinations, accounts, accepted_accounts: accepted, min_destinations: s.min_destinations, min_accounts: s.min_accounts },
      reason: `reached ${destinations} of our addresses and was refused for ${accounts} distinct accounts (${accepted} accepted) in ${w.windowSeconds}s (thresholds ${s.min_destinations} addresses, ${s.min_accounts} accounts)`,
    };
  },
});
