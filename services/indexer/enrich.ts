// What the index adds to a SIP flow so dashboards can aggregate it: the country a call dials
// (`sip.to.country`, from the calling code of a number in international form). Only INVITEs to
// international numbers change; every other record is indexed byte for byte as it came.
import { countryOfInternational } from '../core/calling-codes';
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
