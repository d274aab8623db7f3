// Credential stuffing and password spraying: one source tries credentials for many accounts, each
// refused. Flow records cannot tell a leaked list (stuffing) from one password across accounts
// (spraying); both are many distinct accounts failing from one place. An office behind one NAT
// address fails for one or two misconfigured phones, not ten.
import { isCredentialFailure } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';

export interface CredentialStuffingSettings extends CommonSettings {
  /** distinct accounts with refused credentials, per window and source, before a finding */
  min_accounts: number;
}

export default defineDetector<CredentialStuffingSettings>({
  id: 'sip/credential-stuffing',
  name: 'SIP credential stuffing',
  description: 'One source has credentials refused for many distinct accounts within the window.',
  category: 'credential',
  keyType: 'ip',
  labels: { behavior: 'sip:bruteforce', mitre_technique: 'T1110.004' },
  remediation: 'block-source',
  observed: ['accounts'],
  defaults: {
    enabled: true,
    window_seconds: 300,
    suppress_seconds: 900,
    severity: 'high',
    min_accounts: 10,
  },
  settingsSchema: {
    min_accounts: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.source.ip,
  observe(r) {
    const account = r.sip.auth_user;
    if (account === undefined || !isCredentialFailure(r)) return undefined;
    return { count: { failures: 1 }, distinct: { accounts: account } };
  },
  evaluate(w, s) {
    const accounts = w.distinct.accounts ?? 0;
    if (accounts < s.min_accounts) return undefined;
    return {
      counts: { accounts, failures: w.counts.failures ?? 0, threshold: s.min_accounts },
      reason: `credentials refused for ${accounts} distinct accounts in ${w.windowSeconds}s (threshold ${s.min_accounts})`,
    };
  },
});
