// Calls open now, per account and per tenant, local and international counted apart; a call that
// would go over a limit is denied. A limit of 0 turns that limit off.
import type { VerdictRule } from './rule';

const WHO = ['account', 'tenant'] as const;

export const concurrentCalls: VerdictRule = {
  id: 'verdict/concurrent-calls',
  judge(call, state, s) {
    const kind = call.destination.international ? 'international' : 'local';
    for (let i = 0; i < WHO.length; i++) {
      const who = WHO[i];
      const key = who === 'account' ? call.accountKey : call.tenantKey;
      const limit = s.concurrent[who][kind];
      if (!key || limit === 0) continue;
      const open = state.concurrent(key, call.destination.international, call.now);
      if (open >= limit) return { verdict: 'deny', reason: `${who} ${who === 'account' ? call.query.account : call.tenant} has ${open} ${kind} calls open; the limit is ${limit}` };
    }
    return undefined;
  },
};
