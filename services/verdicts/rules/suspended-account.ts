// An account suspended by a decision, or flagged by a fraud finding of high enough severity.
import type { VerdictRule } from './rule';
import { secondsUntil } from './rule';

export const suspendedAccount: VerdictRule = {
  id: 'verdict/suspended-account',
  judge(call, state) {
    const account = call.query.account;
    if (!account) return undefined;
    const r = state.suspensionOf(account, call.now);
    if (!r) return undefined;
    return { verdict: 'deny', reason: `account ${account} is suspended (${r.reason})`, finding_ids: r.finding_ids, ttl_seconds: secondsUntil(r.until, call.now) };
  },
};
