// Spend over the rolling hour and day, per account and per tenant: the rate deck's price times the
// elapsed time of open calls, plus ended calls. At the quota: deny; past verdicts.spend.warn_fraction
// of it: limit (the call proceeds, the caller can log why). A quota of 0 is off.
import { HOUR } from '../call-ledger';
import type { CallContext, Objection } from '../verdict';
import type { VerdictRule } from './rule';

const WHO = ['account', 'tenant'] as const;
const WINDOWS = ['hour', 'day'] as const;
const WINDOW_MS = { hour: HOUR, day: 24 * HOUR } as const;

/** Worded only when the rule objects: this runs on every call. */
function spent(call: CallContext, who: (typeof WHO)[number], amount: number, window: string, quota: number): string {
  return `${who} ${who === 'account' ? call.query.account : call.tenant} spent ${amount.toFixed(2)} in the last ${window}; the quota is ${quota}`;
}

export const spendQuota: VerdictRule = {
  id: 'verdict/spend-quota',
  judge(call, state, s) {
    let warn: Objection | undefined;
    for (let i = 0; i < WHO.length; i++) {
      const who = WHO[i];
      const key = who === 'account' ? call.accountKey : call.tenantKey;
      if (!key) continue;
      for (let w = 0; w < WINDOWS.length; w++) {
        const window = WINDOWS[w];
        const quota = s.spend[who][window];
        if (quota === 0) continue;
        const amount = state.spend(key, WINDOW_MS[window], call.now);
        if (amount >= quota) return { verdict: 'deny', reason: spent(call, who, amount, window, quota) };
        if (!warn && amount >= quota * s.spend.warn_fraction) warn = { verdict: 'limit', reason: `${spent(call, who, amount, window, quota)} (${Math.round((amount / quota) * 100)}% used)` };
      }
    }
    return warn;
  },
};
