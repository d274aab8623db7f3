import { canonicalCidr } from './cidr';

describe('canonicalCidr', () => {
  it.each([
    ['10.0.0.1/8', '10.0.0.0/8'],
    ['192.168.7.200/24', '192.168.7.0/24'],
    ['203.0.113.9/32', '203.0.113.9'],
    ['203.0.113.9', '203.0.113.9'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0:0:0:0:101', '2001:db8::101'],
    ['2001:db8::101/128', '2001:db8::101'],
    ['2001:DB8:AB:CD::1/32', '2001:db8::/32'],
    ['2001:db8:0:0:1:0:0:1/64', '2001:db8::/64'],
    ['::/0', '::/0'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
  ])('%s is stored as %s', (given, stored) => expect(canonicalCidr(given)).toBe(stored));

  it('refuses what is not a range', () => {
    expect(() => canonicalCidr('10.0.0.0/33')).toThrow(/bad prefix length/);
    expect(() => canonicalCidr('banana')).toThrow(/not an IP address or CIDR/);
  });
});
