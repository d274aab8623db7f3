import { enrichChargedAccount, enrichDialedCountry } from './enrich';

const invite = (user: string, method = 'INVITE') => ({ sip: { method, to: { user } } }) as Record<string, any>;
const PREFIXES = ['+', '00', '011'];

describe('dialed country', () => {
  it('names the country of an INVITE to an international number, by the longest calling code', () => {
    for (const [dialed, country] of [['+2391234567', 'ST'], ['004930123456', 'DE'], ['01144207946000', 'GB'], ['00881612345678', 'international-network']]) {
      const r = invite(dialed);
      expect(enrichDialedCountry(r, PREFIXES)).toBe(true);
      expect(r.sip.to.country).toBe(country);
    }
  });

  it('leaves national numbers, other methods and unknown codes as they came', () => {
    for (const r of [invite('2391234567'), invite('+2391234567', 'REGISTER'), invite('+2800000'), { sip: { method: 'INVITE' } }]) {
      const before = JSON.stringify(r);
      expect(enrichDialedCountry(r, PREFIXES)).toBe(false);
      expect(JSON.stringify(r)).toBe(before);
    }
  });
});

describe('charged account', () => {
  it('is the proxy account, else the digest user, and absent otherwise', () => {
    const proxy = { sip: { method: 'INVITE', account: 'acme-7', auth_user: '105' } } as Record<string, any>;
    const digest = { sip: { method: 'REGISTER', auth_user: '105' } } as Record<string, any>;
    const none = { sip: { method: 'OPTIONS' } } as Record<string, any>;
    expect([enrichChargedAccount(proxy), enrichChargedAccount(digest), enrichChargedAccount(none)]).toEqual([true, true, false]);
    expect([proxy.sip.charged_account, digest.sip.charged_account, none.sip.charged_account]).toEqual(['acme-7', '105', undefined]);
  });
});
