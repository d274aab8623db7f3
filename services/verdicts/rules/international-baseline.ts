// International calls this hour against the account's own history: the busiest hour of the last
// verdicts.baseline.days, times verdicts.baseline.multiple. Until the account has
// verdicts.baseline.min_history_hours of history, verdicts.baseline.hard_cap applies instead. History
// runs from the first call after a silence of more than verdicts.baseline.days: an account back
// after longer is a new one (its ledger may have been swept meanwhile; the answer is the same).
import type { VerdictRule } from './rule';

export const internationalBaseline: VerdictRule = {
  id: 'verdict/international-baseline',
  judge(call, state, s) {
    const account = call.query.account;
    if (!account || !call.destination.international) return undefined;
    const b = state.baseline(account, call.now);
    const learned = b.historyHours >= s.baseline.min_history_hours;
    const allowed = learned ? Math.ceil(Math.max(b.busiestHour, 1) * s.baseline.multiple) : s.baseline.hard_cap;
    const thisHour = state.internationalInHour(account, call.now);
    if (thisHour < allowed) return undefined;
    const basis = learned ? `${s.baseline.multiple} x its busiest hour of the last ${s.baseline.days} days (${b.busiestHour})` : `the hard cap while it has under ${s.baseline.min_history_hours} h of history`;
    return { verdict: 'deny', reason: `account ${account} made ${thisHour} international calls this hour; ${allowed} allowed: ${basis}` };
  },
};
