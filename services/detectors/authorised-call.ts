// Which calls fraud detectors count, and whom they charge. A call counts once the proxy accepted
// the caller: it carried credentials (or was charged to an account by a trusted proxy) and was not
// challenged or refused. An INVITE answered 407 has cost nothing yet; a brute-force detector
// sees it. The From user is never the key: anyone can write it, and a detector keyed on it would
// let an attacker get any account suspended.
import { chargedAccount } from '../core/accounts';
import type { SipFlow } from '../core/records';

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
