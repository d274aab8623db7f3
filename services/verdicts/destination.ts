// The dialled number of a verdict request, read the way the collector reads the flows' numbers
// (services/collector/numbers): E.164, country and number type by libphonenumber's max metadata,
// with the outside-line digits, carrier codes and prefixes of the default dial plan, read as a
// number of `homeCountry` unless it says otherwise.
import { DEFAULT_DIAL_PLAN } from '../core/dial-plan';
import { NumberNormaliser } from '../collector/numbers/normalise';
import { uriParts } from '../detectors/sip-uri';

export interface Destination {
  /** the user part as dialled */
  dialled: string;
  /** +digits, when the number could be read */
  e164?: string;
  /** ISO 3166 country, or `international-network` for the non-geographic codes */
  country?: string;
  /** the number type in libphonenumber's spelling: FIXED_LINE, MOBILE, PREMIUM_RATE, SATELLITE ... */
  number_type?: string;
  /** not a number of the home country (an unreadable number in international form counts as international) */
  international: boolean;
}

const MAX_DIALLED = 64;
/** one normaliser (with its cache of recent readings: a parse costs tens of µs) per home country */
const normalisers = new Map<string, NumberNormaliser>();

/** `to` is a SIP or tel URI, a name-addr, or a bare number. */
export function normaliseDestination(to: string, homeCountry: string): Destination {
  const user = (to.includes(':') ? uriParts(to).user : to.trim()) ?? '';
  const dialled = user.slice(0, MAX_DIALLED);
  let normaliser = normalisers.get(homeCountry);
  if (!normaliser) normalisers.set(homeCountry, (normaliser = new NumberNormaliser({ default: { ...DEFAULT_DIAL_PLAN, home_country: homeCountry }, tenants: {} })));
  const n = normaliser.normalise(dialled);
  if (!n) return { dialled, international: dialled.trim().startsWith('+') };
  const country = n.country ?? 'international-network';
  return { dialled, e164: n.e164, country, number_type: n.number_type.toUpperCase(), international: country !== homeCountry };
}
