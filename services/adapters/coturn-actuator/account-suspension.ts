// Suspending a TURN account in coturn's Redis user database: the long-term HMAC key moves into a
// hash outside coturn's `turn/` namespace, so the next authentication of that user fails (coturn
// reads the key per request), and moves back when the suspension ends. Both moves are Lua scripts, so
// no reader ever sees the key in both places or in neither.
//
// The saved key has no Redis expiry on purpose: it is the only copy of the credential, and a TTL on it
// would turn a crashed enforcer into a deleted account. `until` records when the suspension ends; the
// actuator restores due accounts at start and on a timer (so a crash keeps an account suspended until
// callsentry is back, never deletes it).
import { suspendedKey, userKey } from './redis-keys';

export interface ScriptRunner {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

// 1: suspended (or extended); 0: no such user and nothing saved
const SUSPEND = `
local current = redis.call('GET', KEYS[1])
if current then
  redis.call('HSET', KEYS[2], 'key', current)
  redis.call('DEL', KEYS[1])
elseif redis.call('HEXISTS', KEYS[2], 'key') == 0 then
  return 0
end
redis.call('HSET', KEYS[2], 'until', ARGV[1])
return 1`;

// 1: restored; 0: nothing saved, or not due before ARGV[1]. SET NX: a key an operator set in the
// meantime (a new password) wins over the saved one.
const RESTORE = `
local saved = redis.call('HGET', KEYS[2], 'key')
if not saved then return 0 end
if tonumber(redis.call('HGET', KEYS[2], 'until') or '0') > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], saved, 'NX')
redis.call('DEL', KEYS[2])
return 1`;

export async function suspendAccount(redis: ScriptRunner, realm: string, user: string, untilMs: number): Promise<boolean> {
  const done = await redis.eval(SUSPEND, { keys: [userKey(realm, user), suspendedKey(realm, user)], arguments: [String(untilMs)] });
  return done === 1;
}

/** Restores the account if its suspension ends at or before `dueMs` (Infinity: now, whatever the end). */
export async function restoreAccount(redis: ScriptRunner, realm: string, user: string, dueMs = Infinity): Promise<boolean> {
  const due = Number.isFinite(dueMs) ? String(dueMs) : String(Number.MAX_SAFE_INTEGER);
  const done = await redis.eval(RESTORE, { keys: [userKey(realm, user), suspendedKey(realm, user)], arguments: [due] });
  return done === 1;
}
