// The account's class of service (verdicts.accounts, verdicts.classes) does not allow the
// destination: international calls for a local-only class.
import type { VerdictRule } from './rule';

export const classOfService: VerdictRule = {
  id: 'verdict/class-of-service',
  judge(call) {
    if (!call.destination.international || call.cls.international) return undefined;
    return { verdict: 'deny', reason: `class of service '${call.cls.name}' does not allow international calls (${call.destination.e164 ?? call.destination.dialled}${call.destination.country ? `, ${call.destination.country}` : ''})` };
  },
};
