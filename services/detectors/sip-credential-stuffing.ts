// Credential stuffing and password spraying: one source tries credentials for many accounts, each
// refused. Flow records cannot tell a leaked list (stuffing) from one password across accounts
// (spraying); both are many distinct accounts failing from one place. An office behind one NAT
// address fails for one or two misconfigured phones, not ten; over hours (a stale nonce now and
// then on each of 200 phones) it may fail for many, but those accounts also succeed from it. So an
// account counts as tried when it failed, less the accounts that succeeded from the same source
// (sizes of two sets: a difference of estimates once a set is past its exact bound).
import { AUTH_REFUSED, isCredentialFailure } from './authorised-call';
import { defineDetector, type CommonSettings, type Observation } from './definition';

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
    horizons: [
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_accounts: 20 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_accounts: 40 },
    ],
  },
  settingsSchema: {
    min_accounts: { type: 'integer', minimum: 2 },
  },
  keyOf: (r) => r.source.ip,
  observe(r): Observation | undefined {
    const account = r.sip.auth_user;
    if (account === undefined) return undefined;
    if (isCredentialFailure(r)) return { count: { failures: 1 }, distinct: { accounts: account } };
    const status = r.sip.status;
    // accepted credentials: the account is this source's own
    if (status !== undefined && status >= 200 && status < 300 && !AUTH_REFUSED.has(status)) return { distinct: { succeeded: account }, ifKeyed: true };
    return undefined;
  },
  evaluate(w, s) {
    const accounts = w.distinct.accounts ?? 0;
    const succeeded = w.distinct.succeeded ?? 0;
    if (accounts - succeeded < s.min_accounts) return undefined;
    return {
      counts: { accounts, succeeded_accounts: succeeded, failures: w.counts.failures ?? 0, threshold: s.min_accounts },
      reason: `credentials refused for ${accounts} distinct accounts (${succeeded} accepted) in ${w.windowSeconds}s (threshold ${s.min_accounts})`,
    };
  },
});
