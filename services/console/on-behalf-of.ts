// How the holder of the operator API's token names the person it acts for: the console names its
// logged-in user, the commands the login name. The API records this as `who`; a `who` in a request
// body is never read.
export const ON_BEHALF_OF = 'x-callsentry-on-behalf-of';

/** Who a request is recorded as when the token's holder names nobody. */
export const TOKEN_PRINCIPAL = 'api-token';

const PERSON = /^[A-Za-z0-9._@+-]{1,64}$/;

/** The person named by the header; the token itself when none is named; undefined when malformed. */
export function personOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return TOKEN_PRINCIPAL;
  return typeof header === 'string' && PERSON.test(header) ? header : undefined;
}
