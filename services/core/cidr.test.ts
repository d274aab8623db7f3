import { CidrSet, parseCidr, parseIp } from './cidr';

describe('cidr', () => {
  it('matches IPv4 ranges and single addresses', () => {
    const set = new CidrSet(['10.0.0.0/8', '192.0.2.7']);
    expect(set.match('10.200.1.1')?.text).toBe('10.0.0.0/8');
    expect(set.match('192.0.2.7')?.text).toBe('192.0.2.7');
    expect(set.match('192.0.2.8')).toBeUndefined();
    expect(set.match('11.0.0.1')).toBeUndefined();
  });

  it('matches IPv6 ranges, compressed forms and IPv4-mapped addresses', () => {
    const set = new CidrSet(['2001:db8::/32', '192.0.2.0/24']);
    expect(set.match('2001:db8:0:1::5')?.text).toBe('2001:db8::/32');
    expect(set.match('2001:db9::1')).toBeUndefined();
    expect(set.match('::ffff:192.0.2.9')?.text).toBe('192.0.2.0/24');
    expect(parseIp('::1')!.value).toBe(1n);
    expect(parseIp('1::')!.value).toBe(1n << 112n);
  });

  it('rejects what is not an address or prefix', () => {
    expect(() => parseCidr('10.0.0.0/33')).toThrow('bad prefix length');
    expect(() => parseCidr('10.0.0.0/8; rm -rf /')).toThrow();
    expect(() => parseCidr('example.com')).toThrow('not an IP address');
  });
});
