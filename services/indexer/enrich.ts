// What the index adds to a SIP flow so dashboards can aggregate it: the account the flow is
// charged to (`sip.charged_account`: the proxy's account, else the digest user, as the account-keyed
// detectors see it). The dialled number's country and kind come from the collector (sip.to.e164,
// country, number_type, dial_prefix), read once with the tenant's dial plan. A flow without an
// account is indexed byte for byte as it came.
import { chargedAccount } from '../core/accounts';
import type { SipFlow } from '../core/records';

/** Sets sip.charged_account when the flow is charged to an account; true when the record changed. */
export function enrichChargedAccount(r: Record<string, any>): boolean {
  if (!r.sip) return false;
  const account = chargedAccount(r as SipFlow);
  if (account === undefined) return false;
  r.sip.charged_account = account;
  return true;
}
