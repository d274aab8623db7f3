// Which calls fraud detectors count, and whom they charge: a call counts as the switch would bill
// it. The INVITE was accepted (18x with early media, or 2xx) and its sender proved it receives our packets: it answered our
// challenge with our nonce, acknowledged our answer, or came over a connection (a trusted trunk
// the proxy charged to an account is proven the same way). An INVITE answered 483, 4xx, 5xx or
// 6xx, or only 100 Trying, has cost nothing; the flood and brute-force detectors see it. A name in
// a Proxy-Authorization header nobody challenged is a claim any forger can write, so an unproven
// one charges nobody. The From user is never the key for the same reason.
import { chargedAccount } from '../core/accounts';
import type { SipFlow } from '../core/records';
import { cleanNumber, dialedOf } from './dialed-number';

export { chargedAccount };

/** Challenge and refusal statuses: the credentials were missing, wrong or not enough. */
export const AUTH_REFUSED: ReadonlySet<number> = new Set([401, 403, 407]);

/** An INVITE accepted (18x, 2xx) from a proven sender and charged to an account: it may cost money. */
export function isAuthorisedCall(r: SipFlow): boolean {
  if (r.sip.method.toUpperCase() !== 'INVITE') return false;
  if (chargedAccount(r) === undefined || r.sip.source_proven !== true) return false;
  const status = r.sip.status;
  return status !== undefined && status >= 180 && status < 300;
}

/** A request whose credentials were refused: a wrong password, not the usual first challenge. */
export function isCredentialFailure(r: SipFlow): boolean {
  return r.sip.auth_user !== undefined && r.sip.status !== undefined && AUTH_REFUSED.has(r.sip.status);
}

/**
 * The dialed digits of an authorised call to an outside number (at least `minDigits` digits, so
 * internal extensions do not count), or undefined: what every toll-fraud detector looks at.
 */
export function outsideCallDigits(r: SipFlow, minDigits: number): string | undefined {
  if (!isAuthorisedCall(r)) return undefined;
  const dialed = dialedOf(r);
  const digits = dialed === undefined ? undefined : cleanNumber(dialed)?.replace(/^\+/, '');
  return digits !== undefined && digits.length >= minDigits ? digits : undefined;
}
