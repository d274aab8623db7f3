// What the index adds to a SIP flow so dashboards can aggregate it: the account the flow is
// charged to (`sip.charged_account`: the proxy's account, else the digest user, as the account-keyed
// detectors see it) and the country a call dials (`sip.to.country`, from the calling code of a
// number in international form). A flow with neither is indexed byte for byte as it came.
import { chargedAccount } from '../core/accounts';
import { countryOfInternational } from '../core/calling-codes';
import type { SipFlow } from '../core/records';
import { internationalDigits } from '../detectors/dialed-number';

/** Sets sip.to.country on an INVITE to an international number; true when the record changed. */
export function enrichDialedCountry(r: Record<string, any>, internationalPrefixes: readonly string[]): boolean {
  const sip = r.sip;
  if (!sip || String(sip.method).toUpperCase() !== 'INVITE' || typeof sip.to?.user !== 'string') return false;
  const digits = internationalDigits(sip.to.user, internationalPrefixes);
  const country = digits === undefined ? undefined : countryOfInternational(digits);
  if (!country) return false;
  sip.to.country = country;
  return true;
}

/** Sets sip.charged_account when the flow is charged to an account; true when the record changed. */
export function enrichChargedAccount(r: Record<string, any>): boolean {
  if (!r.sip) return false;
  const account = chargedAccount(r as SipFlow);
  if (account === undefined) return false;
  r.sip.charged_account = account;
  return true;
}
