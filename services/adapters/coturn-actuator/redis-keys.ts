// The Redis keys the coturn actuator writes, in coturn's user database.
//
// Denied peers: coturn 4.6 re-reads its peer lists every 5 s with `KEYS turn/realm/*/denied-peer-ip`,
// takes the realm from the segment after `turn/realm/` and reads each matching key with SMEMBERS
// (dbd_redis.c, redis_get_ip_list). The glob's `*` also matches `/`, so every denied range gets a
// one-member set of its own, `turn/realm/<realm>/callsentry/deny/<token>/denied-peer-ip`, with an
// EXPIRE: Redis drops the key at the deadline and coturn forgets the range on its next read, whether
// or not callsentry still runs. (Members of one shared set cannot expire one by one.)
//
// Suspended accounts: the HMAC key `turn/realm/<realm>/user/<user>/key` is moved into a hash outside
// coturn's `turn/` namespace, with the time the suspension ends.
const REALM = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,126}[A-Za-z0-9])?$/;
// TURN user names (REST API ones look like `1700000000:alice`); never '/', glob characters or spaces
const USER = /^[A-Za-z0-9._:@+=-]{1,128}$/;

export function checkRealm(realm: string): string {
  if (!REALM.test(realm)) throw new Error(`not a valid realm name: ${JSON.stringify(realm)}`);
  return realm;
}

export function checkUser(user: string): string {
  if (!USER.test(user)) throw new Error(`not a valid TURN user name: ${JSON.stringify(user)}`);
  return user;
}

export function denyKey(realm: string, token: string): string {
  return `turn/realm/${checkRealm(realm)}/callsentry/deny/${token}/denied-peer-ip`;
}

/** SCAN pattern for our deny keys of one realm (realm names hold no glob characters). */
export function denyPattern(realm: string): string {
  return denyKey(realm, '*');
}

/** The token of a deny key, or undefined if the key is not one of ours for this realm. */
export function denyToken(realm: string, key: string): string | undefined {
  const head = `turn/realm/${checkRealm(realm)}/callsentry/deny/`;
  const tail = '/denied-peer-ip';
  if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
  const token = key.slice(head.length, key.length - tail.length);
  return token.length > 0 && !token.includes('/') ? token : undefined;
}

export function userKey(realm: string, user: string): string {
  return `turn/realm/${checkRealm(realm)}/user/${checkUser(user)}/key`;
}

export function suspendedKey(realm: string, user: string): string {
  return `callsentry/coturn/suspended/${checkRealm(realm)}/${checkUser(user)}`;
}

export function suspendedPattern(realm: string): string {
  return `callsentry/coturn/suspended/${checkRealm(realm)}/*`;
}

export function suspendedUser(realm: string, key: string): string | undefined {
  const head = `callsentry/coturn/suspended/${checkRealm(realm)}/`;
  if (!key.startsWith(head)) return undefined;
  const user = key.slice(head.length);
  return USER.test(user) ? user : undefined;
}
