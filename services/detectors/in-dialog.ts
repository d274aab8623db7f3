// Requests that act on an existing call, as the collector marked them (sip.dialog): BYE, CANCEL,
// and re-INVITE, REFER or UPDATE with a To tag. A re-INVITE is no new call: it neither dials a
// number nor needs credentials of its own.
import type { SipFlow } from '../core/records';

export function inDialog(r: SipFlow): boolean {
  return r.sip.dialog !== undefined;
}
