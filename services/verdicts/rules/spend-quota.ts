// Spend over the rolling hour and day, per account and per tenant: the rate deck's price times the
// elapsed time of open calls, plus ended calls. At the quota: deny; past verdicts.spend.warn_fraction
// of it: limit (the call proceeds, the caller can log why). A quota of 0 is off.
import { HOUR } from '../call-ledger';
import type { LedgerKey } from '../state';
import type { Objection } from '../verdict';
import type { VerdictRule } from './rule';

const WINDOWS = [
  ['hour', HOUR],
  ['day', 24 * HOUR],
] as const;

export const spendQuota: VerdictRule = {
  id: 'verdict/spend-quota',
  judge(call, state, s) {
    let warn: Objection | undefined;
    const who: Array<[LedgerKey | undefined, 'account' | 'tenant', string | undefined]> = [
      [call.query.account ? `account:${call.query.account}` : undefined, 'account', call.query.account],
      [call.tenant ? `tenant:${call.tenant}` : undefined, 'tenant', call.tenant],
    ];
    for (const [key, kind, name] of who) {
      if (!key) continue;
      for (const [window, ms] of WINDOWS) {
        const quota = s.spend[kind][window];
        if (quota === 0) continue;
        const spent = state.spend(key, ms, call.now);
        const what = () => `${kind} ${name} spent ${spent.toFixed(2)} in the last ${window}; the quota is ${quota}`;
        if (spent >= quota) return { verdict: 'deny', reason: what() };
        if (!warn && spent >= quota * s.spend.warn_fraction) warn = { verdict: 'limit', reason: `${what()} (${Math.round((spent / quota) * 100)}% used)` };
      }
    }
    return warn;
  },
};
