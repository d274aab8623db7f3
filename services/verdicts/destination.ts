// The dialled number of a verdict request, normalised: E.164, country and number type, by
// libphonenumber-js (max metadata), read as a number of the home country unless it says otherwise.
// One small function so the dial-plan normaliser of the flows (sip.to.e164/country/number_type)
// can take its place.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { countryOfInternational } from '../core/calling-codes';
import { uriParts } from '../detectors/sip-uri';

export interface Destination {
  /** the user part as dialled */
  dialled: string;
  /** +digits, when the number could be read */
  e164?: string;
  /** ISO 3166 country, or `international-network` for the non-geographic codes */
  country?: string;
  /** libphonenumber's type: FIXED_LINE, MOBILE, PREMIUM_RATE, ... */
  number_type?: string;
  /** not a number of the home country (an unreadable number in international form counts as international) */
  international: boolean;
}

const MAX_DIALLED = 64;

/** `to` is a SIP or tel URI, a name-addr, or a bare number. */
export function normaliseDestination(to: string, homeCountry: string): Destination {
  const user = (to.includes(':') ? uriParts(to).user : to.trim()) ?? '';
  const dialled = user.slice(0, MAX_DIALLED);
  const digits = dialled.replace(/[\s().-]/g, '');
  if (!/^\+?\d{1,20}$/.test(digits)) return { dialled, international: false };
  const parsed = parsePhoneNumberFromString(digits, homeCountry as CountryCode);
  if (!parsed) return { dialled, international: digits.startsWith('+') };
  const e164 = parsed.number as string;
  const country = parsed.country ?? countryOfInternational(e164.slice(1));
  const type = parsed.isValid() ? parsed.getType() : undefined;
  const out: Destination = { dialled, e164, international: country !== homeCountry };
  if (country) out.country = country;
  if (type) out.number_type = type;
  return out;
}
