// Calls open now, per account and per tenant, local and international counted apart; a call that
// would go over a limit is denied. A limit of 0 turns that limit off.
import type { LedgerKey } from '../state';
import type { VerdictRule } from './rule';

export const concurrentCalls: VerdictRule = {
  id: 'verdict/concurrent-calls',
  judge(call, state, s) {
    const kind = call.destination.international ? 'international' : 'local';
    const checks: Array<[LedgerKey | undefined, number, string]> = [
      [call.query.account ? `account:${call.query.account}` : undefined, s.concurrent.account[kind], `account ${call.query.account}`],
      [call.tenant ? `tenant:${call.tenant}` : undefined, s.concurrent.tenant[kind], `tenant ${call.tenant}`],
    ];
    for (const [key, limit, who] of checks) {
      if (!key || limit === 0) continue;
      const open = state.concurrent(key, call.destination.international, call.now);
      if (open >= limit) return { verdict: 'deny', reason: `${who} has ${open} ${kind} calls open; the limit is ${limit}` };
    }
    return undefined;
  },
};
