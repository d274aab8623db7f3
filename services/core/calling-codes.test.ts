import { countryOfInternational } from './calling-codes';

describe('calling codes', () => {
  it.each([
    ['4930123456', 'DE'],
    ['2391234567', 'ST'], // São Tomé, a classic IRSF destination
    ['12125550100', 'US'],
    ['881612345678', 'international-network'], // satellite
    ['3726123456', 'EE'],
    ['37612345', 'AD'],
    ['79161234567', 'RU'],
  ])('%s dials %s', (digits, country) => {
    expect(countryOfInternational(digits)).toBe(country);
  });

  it('knows nothing of unassigned codes or bare codes', () => {
    expect(countryOfInternational('2800000')).toBeUndefined(); // 28x is spare
    expect(countryOfInternational('49')).toBeUndefined();
  });
});
