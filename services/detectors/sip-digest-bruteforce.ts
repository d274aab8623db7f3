// Digest password guessing (svcrack): one source sends credentials that keep being refused. The
// first 401/407 of every transaction is the normal challenge and carries no credentials, so only
// refusals of requests that did carry them count. A phone with an outdated password fails once
// per registration attempt, a few times a minute at most; a cracker fails hundreds of times.
// Over hours (the 1 h and 24 h horizons) a cracker at a few guesses a minute is told from a NAT'd
// office with a phone or two on a stale password (one failure a minute each, for one account each)
// by the failures per account tried: the horizons ask for more than twice a phone's retry rate on
// the average account, which a NAT'd office never reaches however many phones it has.
import { isCredentialFailure } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';

export interface DigestBruteforceSettings extends CommonSettings {
  /** refused requests that carried credentials, per window and source, before a finding */
  min_failures: number;
  /** refused credentials per distinct account tried, on average, before a finding (0: any) */
  min_failures_per_account: number;
}

export default defineDetector<DigestBruteforceSettings>({
  id: 'sip/digest-bruteforce',
  name: 'SIP digest brute force',
  description: 'One source sends many requests with credentials (REGISTER, INVITE ...) that are refused with 401, 403 or 407 within the window.',
  category: 'credential',
  keyType: 'ip',
  labels: { behavior: 'sip:bruteforce', mitre_technique: 'T1110.001' },
  remediation: 'block-source',
  observed: ['accounts'],
  defaults: {
    enabled: true,
    window_seconds: 60,
    suppress_seconds: 600,
    severity: 'high',
    min_failures: 20,
    min_failures_per_account: 0,
    horizons: [
      // 2.5 guesses a minute for one account: a stale phone retries once a minute
      // 8 refused guesses per account in 2 minutes: a campaign at 10 guesses a minute is seen within
      // the minute; a stale phone retrying every 30-60 s makes 2-4, and a NAT'd office of such phones
      // as many per account
      { name: '2m', window_seconds: 120, suppress_seconds: 600, severity: 'medium', remediation: 'alert-only', min_failures: 8, min_failures_per_account: 8 },
      { name: '1h', window_seconds: 3600, suppress_seconds: 3600, min_failures: 150, min_failures_per_account: 150 },
      { name: '24h', window_seconds: 86400, suppress_seconds: 86400, min_failures: 2400, min_failures_per_account: 2400 },
    ],
  },
  settingsSchema: {
    min_failures: { type: 'integer', minimum: 2 },
    min_failures_per_account: { type: 'number', minimum: 0 },
  },
  keyOf: (r) => r.source.ip,
  observe(r) {
    const account = r.sip.auth_user;
    if (account === undefined || !isCredentialFailure(r)) return undefined;
    return { count: { failures: 1 }, distinct: { accounts: account }, sample: { account } };
  },
  evaluate(w, s) {
    const failures = w.counts.failures ?? 0;
    if (failures < s.min_failures) return undefined;
    const accounts = w.distinct.accounts ?? 0;
    if (failures < s.min_failures_per_account * Math.max(1, accounts)) return undefined;
    const target = accounts === 1 ? `account ${w.sample.account}` : `${accounts} accounts`;
    return {
      counts: { failures, accounts, threshold: s.min_failures },
      reason: `${failures} refused credentials for ${target} in ${w.windowSeconds}s (threshold ${s.min_failures})`,
    };
  },
});
