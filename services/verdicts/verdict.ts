// What a verdict is, and what every rule is given to judge a call. A rule is a pure function of the
// call and a read-only view of the state: it returns a deny or a limit, or nothing when it has no
// objection. The rules run in order; the first deny wins, else the first limit, else allow.
import type { Destination } from './destination';
import type { LedgerKey } from './state';

export type VerdictKind = 'allow' | 'deny' | 'limit';

export interface Verdict {
  verdict: VerdictKind;
  reason: string;
  /** the rule that decided: `allow` when none objected */
  rule: string;
  finding_ids: string[];
  ttl_seconds: number;
}

/** One call to judge, as the proxy describes it. */
export interface CallQuery {
  source_ip: string;
  account?: string;
  tenant?: string;
  from: string;
  to: string;
  call_id: string;
}

/** What a rule sees: the query with its destination and class resolved. */
export interface CallContext {
  query: CallQuery;
  /** the tenant the query or the configuration names */
  tenant?: string;
  /** the ledgers of the account and of the tenant, keyed once per call (rules and state read them) */
  accountKey?: LedgerKey;
  tenantKey?: LedgerKey;
  destination: Destination;
  /** price per minute from the rate deck (0 when no prefix matches) */
  ratePerMinute: number;
  cls: { name: string; international: boolean; premium: boolean };
  now: number;
}

export interface Objection {
  verdict: 'deny' | 'limit';
  reason: string;
  finding_ids?: string[];
  /** how long the caller may cache the deny (seconds); defaults to verdicts.allow_ttl_seconds */
  ttl_seconds?: number;
}
