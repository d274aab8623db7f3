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

describe('cidr canonical form', () => {
  it('clears host bits and writes IPv6 in RFC 5952 text', () => {
    expect(parseCidr('10.0.0.1/8').text).toBe('10.0.0.0/8');
    expect(parseCidr('192.0.2.77/26').text).toBe('192.0.2.64/26');
    expect(parseCidr('0.0.0.0/0').text).toBe('0.0.0.0/0');
    expect(parseCidr(' 203.0.113.9/32 ').text).toBe('203.0.113.9/32');
    expect(parseCidr('2001:DB8:0:0:1::ff/64').text).toBe('2001:db8::/64');
    expect(parseCidr('2001:0db8:0000:0000:0000:0000:0000:0001').text).toBe('2001:db8::1');
    expect(parseCidr('::ffff:192.0.2.9/120').text).toBe('192.0.2.0/24');
    expect(new CidrSet(['10.0.0.1/8']).match('10.255.255.255')?.text).toBe('10.0.0.0/8');
  });

  it('refuses the address forms nobody means in an allowlist', () => {
    for (const bad of ['10.1', '010.0.0.1', '0x0a.0.0.1', '10.0.0.0/8/8', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/ 8', '2001:db8::/129', '']) {
      expect(() => parseCidr(bad)).toThrow();
    }
  });

  it('matches an address only against ranges of its own family', () => {
    expect(new CidrSet(['::/0']).match('192.0.2.1')).toBeUndefined();
    expect(new CidrSet(['0.0.0.0/0']).match('2001:db8::1')).toBeUndefined();
    expect(new CidrSet(['0.0.0.0/0']).match('not-an-ip')).toBeUndefined();
  });
});
