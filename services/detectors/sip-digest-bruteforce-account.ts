// Password guessing against one account, whatever the sources: a botnet spreads its guesses so
// that no address crosses the per-source threshold. Keyed by the digest user name, which the
// attacker chooses, so it only alerts: the account's owner should change the password, and no
// address is blocked on this evidence. Its 1 h and 24 h horizons stay above what a phone with a
// stale password sends (one failure a minute, 1,440 a day).
import { isCredentialFailure } from './authorised-call';
import { chargedAccount } from '../core/accounts';
import { defineDetector, type CommonSettings } from './definition';

export interface AccountBruteforceSettings extends CommonSettings {
  /** refused credentials for one account per window before a finding */
  min_failures: number;
  /** distinct sources those refusals must come from (1: any, including a single cracker) */
  min_sources: number;
}

export default defineDetector<AccountBruteforceSettings>({
  id: 'sip/digest-bruteforce-account',
  name: 'SIP digest brute force against one account',
  description: 'Credentials for one account are refused many times within the window, from one or many sources.',
  category: 'credential',
  keyType: 'account',
  labels: { behavior: 'sip:bruteforce', mitre_technique: 'T1110.001' },
  remediation: 'alert-only',
  observed: ['sources'],
  defaults: {
    enabled: true,
    window_seconds: 600,
    suppress_seconds: 1800,
    severity: 'high',
    min_failures: 50,
    min_sources: 1,
    horizons: [
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_failures: 150 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_failures: 2400 },
    ],
  },
  settingsSchema: {
    min_failures: { type: 'integer', minimum: 2 },
    min_sources: { type: 'integer', minimum: 1 },
  },
  // the partition key of the by-account topic, which is the auth user unless a proxy set the account
  keyOf: chargedAccount,
  observe: (r) => (isCredentialFailure(r) ? { count: { failures: 1 }, distinct: { sources: r.source.ip } } : undefined),
  evaluate(w, s) {
    const failures = w.counts.failures ?? 0;
    const sources = w.distinct.sources ?? 0;
    if (failures < s.min_failures || sources < s.min_sources) return undefined;
    return {
      counts: { failures, sources, threshold: s.min_failures },
      reason: `${failures} refused credentials for account ${w.key} from ${sources} source(s) in ${w.windowSeconds}s (threshold ${s.min_failures})`,
    };
  },
});
