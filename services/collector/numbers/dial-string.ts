// The ways a dial plan can read one dialled string: [outside line][carrier code] then an
// international prefix and a number with its country code, or a trunk prefix and a national number,
// or a national number alone. Each reading says exactly which digits it stripped.
import type { DialPlan } from '../../core/dial-plan';

/** Visual separators allowed inside a dialled number (RFC 3966 visual-separator, plus space). */
const SEPARATORS = /[\s\-.()]/g;
/** Longer than any prefix chain (13) plus the longest E.164 number (15): anything beyond is not dialled by a phone. */
export const MAX_DIALLED_DIGITS = 32;
const DIALLED = new RegExp(`^\\+?[0-9]{1,${MAX_DIALLED_DIGITS}}$`);

/** The string without separators when it is ASCII digits with an optional leading +, else undefined. */
export function cleanDialled(dialled: string): string | undefined {
  if (dialled.length > 4 * MAX_DIALLED_DIGITS) return undefined;
  const s = dialled.replace(SEPARATORS, '');
  return DIALLED.test(s) ? s : undefined;
}

export interface Reading {
  /** what was stripped before the number: outside line, carrier code, international or trunk prefix */
  prefix: string;
  /** international: the digits after the prefix, country code first; national: the national number */
  digits: string;
  international: boolean;
}

/** Digits of an E.164 number after its +: from Niue's 5 (+683 1234) to the maximum of 15. */
const MIN_E164 = 5;
const MAX_E164 = 15;
/** A national number has at most the 15 digits of E.164 less a country code, and more than a short code. */
function nationalLength(n: number): boolean {
  return n >= 4 && n <= 14;
}

/** `101XXXX` as a test of a string's start; undefined when the string does not start with it. */
function matchPattern(s: string, pattern: string): string | undefined {
  if (s.length < pattern.length) return undefined;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern.charCodeAt(i);
    const c = s.charCodeAt(i);
    if (p === 88 /* X */ ? c < 48 || c > 57 : p !== c) return undefined;
  }
  return s.slice(0, pattern.length);
}

/**
 * Every reading of a clean dialled string under a plan, most specific first: without an outside
 * line before with one, without a carrier code before with one, international (longest prefix
 * first) before national with the trunk prefix before national alone.
 */
export function readings(s: string, plan: DialPlan): Reading[] {
  const out: Reading[] = [];
  const intl = [...plan.international_prefixes].sort((a, b) => b.length - a.length);
  for (const outside of ['', ...plan.outside_line]) {
    if (!s.startsWith(outside)) continue;
    const afterOutside = s.slice(outside.length);
    const carriers = [''];
    for (const pattern of plan.carrier_codes) {
      const code = matchPattern(afterOutside, pattern);
      if (code !== undefined) carriers.push(code);
    }
    for (const carrier of carriers) {
      const rest = afterOutside.slice(carrier.length);
      const before = outside + carrier;
      // a + only ever opens the number: after an outside line or a carrier code it is not dialled
      if (rest.startsWith('+') && before !== '') continue;
      let international = false;
      for (const p of intl) {
        if (!rest.startsWith(p)) continue;
        international = true;
        const digits = rest.slice(p.length);
        if (digits.length >= MIN_E164 && digits.length <= MAX_E164) out.push({ prefix: before + p, digits, international: true });
      }
      // what starts with an international prefix is read as international only (libphonenumber
      // would read `011...` as international itself, and a bare national number never starts so)
      if (international) continue;
      const trunk = plan.trunk_prefix;
      if (trunk && rest.startsWith(trunk) && nationalLength(rest.length - trunk.length)) out.push({ prefix: before + trunk, digits: rest.slice(trunk.length), international: false });
      if (nationalLength(rest.length)) out.push({ prefix: before, digits: rest, international: false });
    }
  }
  return out;
}
