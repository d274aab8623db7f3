// A source address (or a range holding it) under an enforced block or peer denial.
import type { VerdictRule } from './rule';
import { secondsUntil } from './rule';

export const blockedSource: VerdictRule = {
  id: 'verdict/blocked-source',
  judge(call, state) {
    const r = state.blockOf(call.query.source_ip, call.now);
    if (!r) return undefined;
    return { verdict: 'deny', reason: `source ${call.query.source_ip} is blocked (${r.reason})`, finding_ids: r.finding_ids, ttl_seconds: secondsUntil(r.until, call.now) };
  },
};
