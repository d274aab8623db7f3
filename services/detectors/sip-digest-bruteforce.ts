// Digest password guessing (svcrack): one source sends credentials that keep being refused. The
// first 401/407 of every transaction is the normal challenge and carries no credentials, so only
// refusals of requests that did carry them count. A phone with an outdated password fails once
// per registration attempt, a few times a minute at most; a cracker fails hundreds of times.
import { isCredentialFailure } from './authorised-call';
import { defineDetector, type CommonSettings } from './definition';

export interface DigestBruteforceSettings extends CommonSettings {
  /** refused requests that carried credentials, per window and source, before a finding */
  min_failures: number;
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
  },
  settingsSchema: {
    min_failures: { type: 'integer', minimum: 2 },
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
    const target = accounts === 1 ? `account ${w.sample.account}` : `${accounts} accounts`;
    return {
      counts: { failures, accounts, threshold: s.min_failures },
      reason: `${failures} refused credentials for ${target} in ${w.windowSeconds}s (threshold ${s.min_failures})`,
    };
  },
});
