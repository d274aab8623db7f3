// The account a SIP flow is charged to: set by the proxy (sip.account), else the digest user name.
// It is the partition key of flows.sip.by-account.v1, so every account-keyed detector keys by it.
// The From user is never an account: anyone can write it.
import type { SipFlow } from './records';

export function chargedAccount(r: SipFlow): string | undefined {
  return r.sip.account ?? r.sip.auth_user;
}
