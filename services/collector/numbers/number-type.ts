// The kind of a number, in the words of a fraud analyst: libphonenumber's types (from its "max"
// metadata), with the non-geographic calling codes IRSF favours named by what they are.
import type { PhoneNumberType as LibType } from 'libphonenumber-js/max';

export const NUMBER_TYPES = [
  'fixed_line',
  'mobile',
  'fixed_line_or_mobile',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'voip',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
  'satellite',
  'international_network',
  'unknown',
] as const;

export type NumberType = (typeof NUMBER_TYPES)[number];

/**
 * Non-geographic calling codes (ITU-T E.164 assignments) whose kind the code itself tells:
 * libphonenumber reads Iridium (+881 6) as "mobile" and knows few ranges of +870 and +979.
 */
export const NON_GEOGRAPHIC: Readonly<Record<string, NumberType>> = {
  '800': 'toll_free', // Universal International Freephone
  '808': 'shared_cost', // Universal International Shared Cost
  '870': 'satellite', // Inmarsat
  '881': 'satellite', // Global Mobile Satellite System (Iridium, Globalstar, Thuraya ...)
  '882': 'international_network',
  '883': 'international_network',
  '888': 'international_network', // OCHA, disaster relief
  '979': 'premium_rate', // International Premium Rate Service
};

export function typeOf(callingCode: string, lib: LibType | undefined): NumberType {
  const own = NON_GEOGRAPHIC[callingCode];
  if (own) return own;
  return lib ? (lib.toLowerCase() as NumberType) : 'unknown';
}
