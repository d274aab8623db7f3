// Which calls fraud detectors count, and whom they charge. A call counts once the proxy accepted
// the caller: it carried credentials (or was charged to an account by a trusted proxy) and was not
// challenged or refused. An INVITE answered 407 has cost nothing yet; a brute-force detector
// sees it. The From user is never the key: anyone can write it, and a detector keyed on it would
// let an attacker get any account suspended.
import { chargedAccount } from '../core/accounts';
import type { SipFlow } from '../core/records';
import { cleanNumber, dialedOf } from './dialed-number';

export { chargedAccount };

/** Challenge and refusal statuses: the credentials were missing, wrong or not enough. */
export const AUTH_REFUSED: ReadonlySet<number> = new Set([401, 403, 407]);

/** An INVITE that passed authentication: it reached routing, so it may cost money. */
export function isAuthorisedCall(r: SipFlow): boolean {
  if (r.sip.method.toUpperCase() !== 'INVITE') return false;
  if (chargedAccount(r) === undefined) return false;
  const status = r.sip.status;
  return status !== undefined && !AUTH_REFUSED.has(status);
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
