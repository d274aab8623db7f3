import { checkRealm, checkUser, denyKey, denyPattern, denyToken, suspendedKey, suspendedUser, userKey } from './redis-keys';

describe('coturn redis keys', () => {
  it('names one expiring set per denied range that coturn 4.6 finds with KEYS turn/realm/*/denied-peer-ip', () => {
    const key = denyKey('callsentry.test', '10.1.0.0_16');
    expect(key).toBe('turn/realm/callsentry.test/callsentry/deny/10.1.0.0_16/denied-peer-ip');
    // coturn takes the realm from the segment after turn/realm/
    expect(key.slice('turn/realm/'.length).split('/')[0]).toBe('callsentry.test');
    expect(denyPattern('callsentry.test')).toBe('turn/realm/callsentry.test/callsentry/deny/*/denied-peer-ip');
  });

  it('reads the token back only from its own keys of the same realm', () => {
    expect(denyToken('callsentry.test', denyKey('callsentry.test', '127.0.0.2'))).toBe('127.0.0.2');
    expect(denyToken('other.test', denyKey('callsentry.test', '127.0.0.2'))).toBeUndefined();
    expect(denyToken('callsentry.test', 'turn/realm/callsentry.test/denied-peer-ip')).toBeUndefined();
    expect(denyToken('callsentry.test', 'turn/realm/callsentry.test/callsentry/deny/a/b/denied-peer-ip')).toBeUndefined();
  });

  it('keeps suspended keys outside coturn\'s turn/ namespace', () => {
    expect(userKey('callsentry.test', 'lab')).toBe('turn/realm/callsentry.test/user/lab/key');
    expect(suspendedKey('callsentry.test', 'lab')).toBe('callsentry/coturn/suspended/callsentry.test/lab');
    expect(suspendedUser('callsentry.test', suspendedKey('callsentry.test', '1700000000:alice'))).toBe('1700000000:alice');
  });

  it.each(['', 'a/b', 'a*', 'a b', 'lab\r\nFLUSHDB', '[x]', 'x'.repeat(129), 'ä'])('refuses user name %j', (user) => {
    expect(() => checkUser(user)).toThrow();
    expect(() => userKey('callsentry.test', user)).toThrow();
  });

  it.each(['', 'a/b', '*', 'realm?', '.lead', 'trail-', 'has space'])('refuses realm %j', (realm) => {
    expect(() => checkRealm(realm)).toThrow();
    expect(() => denyKey(realm, '127.0.0.2')).toThrow();
  });
});
