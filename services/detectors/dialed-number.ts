// Dialed numbers as fraud detectors need them: the digits, and whether (and after which prefix)
// the number was dialled in international form. Only the international form is matched against
// country or network prefixes: `2391234567` is a Florida number, `+2391234567` is São Tomé.
import type { SipFlow } from '../core/records';
import { uriParts } from './sip-uri';

/** The number a request is for: the To user (the collector falls back to the request-URI user), else the request-URI user. */
export function dialedOf(r: SipFlow): string | undefined {
  return r.sip.to?.user ?? uriParts(r.sip.request_uri).user;
}

/** Visual separators allowed inside a dialed number (RFC 3966 visual-separator, plus space). */
const SEPARATORS = /[\s\-.()]/g;

/** The number without separators when it is all digits (an optional leading +), else undefined. */
export function cleanNumber(dialed: string): string | undefined {
  const s = dialed.replace(SEPARATORS, '');
  return /^\+?\d{1,32}$/.test(s) ? s : undefined;
}

/**
 * The digits after the international prefix (country code first), or undefined when the number
 * is not in international form. The longest matching prefix wins (`011` before `0`).
 */
export function internationalDigits(dialed: string, prefixes: readonly string[]): string | undefined {
  const s = cleanNumber(dialed);
  if (s === undefined) return undefined;
  let best = '';
  for (const p of prefixes) if (p.length > best.length && s.startsWith(p)) best = p;
  if (!best) return undefined;
  const rest = s.slice(best.length);
  return /^\d+$/.test(rest) ? rest : undefined;
}

/** The same-length digit string `delta` away (`0088168` + 1 = `0088169`), or undefined past the length. */
export function stepDigits(digits: string, delta: number): string | undefined {
  const next = BigInt(digits) + BigInt(delta);
  if (next < 0n) return undefined;
  const s = next.toString().padStart(digits.length, '0');
  return s.length === digits.length ? s : undefined;
}
