import { enrichDialedCountry } from './enrich';

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
