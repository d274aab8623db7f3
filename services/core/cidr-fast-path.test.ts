// The IPv4 fast paths (CidrSet.match, networkAt) must agree with the ipaddr.js reading they spare.
import fc from 'fast-check';
import { isIP } from 'node:net';
import { cidrContains, CidrSet, ipFamily, ipv4Number, parseCidr } from './cidr';
import { networkAt, partitionNetwork } from './source-network';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
/** text near addresses: leading zeros, short forms, big octets, junk */
const nearIpv4 = fc.oneof(ipv4, fc.stringMatching(/^[0-9.]{1,16}$/), fc.constantFrom('010.0.0.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', '::ffff:10.0.0.1', '1.2.3.4 '));

describe('IPv4 fast paths', () => {
  it('reads exactly the addresses node:net reads as IPv4', () => {
    fc.assert(fc.property(nearIpv4, (text) => expect(ipv4Number(text) !== undefined).toBe(isIP(text) === 4)));
  });

  it('ipFamily says what node:net isIP says, IPv6 and junk included', () => {
    const ipv6 = fc.ipV6();
    fc.assert(fc.property(fc.oneof(nearIpv4, ipv6, fc.string({ maxLength: 40 })), (text) => expect(ipFamily(text)).toBe(isIP(text))));
  });

  it('CidrSet.match agrees with cidrContains on every range', () => {
    const range = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => `${a}/${bits}`);
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 6 }), nearIpv4, (ranges, ip) => {
        const set = new CidrSet(ranges);
        const expected = ranges.map(parseCidr).find((c) => cidrContains(c, ip));
        expect(set.match(ip)?.text).toBe(expected?.text);
      }),
    );
  });

  it('networkAt spells a network as parseCidr does', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), (ip, bits) => {
        expect(networkAt(ip, bits, 48)).toBe(parseCidr(`${ip}/${bits}`).text);
      }),
    );
    expect(networkAt('2001:db8:1:2::5', 24, 48)).toBe('2001:db8:1::/48');
    expect(networkAt('not-an-address', 24, 48)).toBeUndefined();
    expect(partitionNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(partitionNetwork('999.1.1.1')).toBe('999.1.1.1');
  });
});
