import { canonical, formatIp, toElement } from './nft-element';

const ip = (value: string) => toElement({ type: 'ip', value });
const cidr = (value: string) => toElement({ type: 'cidr', value });

describe('toElement', () => {
  it('re-prints addresses from their value', () => {
    expect(ip('10.0.0.1')).toMatchObject({ ok: true, element: { family: 4, shape: 'addr', text: '10.0.0.1' } });
    expect(ip('FD00::1')).toMatchObject({ ok: true, element: { family: 6, text: 'fd00:0:0:0:0:0:0:1' } });
    expect(ip('2001:db8::ffff:0:1')).toMatchObject({ ok: true, element: { text: '2001:db8:0:0:0:ffff:0:1' } });
    expect(ip('::ffff:192.0.2.7')).toMatchObject({ ok: true, element: { family: 4, text: '192.0.2.7' } });
  });

  it('puts ranges in interval sets and full prefixes with addresses', () => {
    expect(cidr('10.1.0.0/16')).toMatchObject({ ok: true, element: { shape: 'net', text: '10.1.0.0/16', bits: 16 } });
    expect(cidr('2001:db8::/48')).toMatchObject({ ok: true, element: { shape: 'net', text: '2001:db8:0:0:0:0:0:0/48' } });
    expect(cidr('192.0.2.9/32')).toMatchObject({ ok: true, element: { shape: 'addr', text: '192.0.2.9' } });
  });

  it.each([
    ['1.2.3.4; flush ruleset'],
    ['1.2.3.4\nflush ruleset'],
    ['1.2.3.4 }'],
    ['1.2.3.4 timeout 0s'],
    [' 1.2.3.4'],
    ['fe80::1%eth0'],
    ['1.2.3'],
    ['01.2.3.4'],
    ['1.2.3.256'],
    ['::g'],
    ['10.0.0.0/8'],
    [''],
    ['a'.repeat(100)],
  ])('rejects ip %j', (value) => {
    expect(ip(value)).toMatchObject({ ok: false, reason: expect.any(String) });
  });

  it.each([
    ['10.0.0.0/8; flush ruleset'],
    ['10.0.0.0/8\n'],
    ['10.0.0.0/ 8'],
    ['10.0.0.0/+8'],
    ['10.0.0.0/33'],
    ['10.1.2.3/16'],
    ['0.0.0.0/0'],
    ['::/0'],
    ['2001:db8::/16'],
    ['10.0.0.0/8/8'],
  ])('rejects cidr %j', (value) => {
    expect(cidr(value)).toMatchObject({ ok: false });
  });

  it('refuses account targets', () => {
    expect(toElement({ type: 'account', value: '1.2.3.4' })).toEqual({ ok: false, reason: 'target type account is not an address' });
  });

  it('honours prefix limits', () => {
    expect(toElement({ type: 'cidr', value: '10.0.0.0/8' }, { minPrefix: { 4: 16, 6: 64 } })).toMatchObject({ ok: false, reason: expect.stringContaining('/16') });
  });
});

describe('canonical', () => {
  it('maps what nft prints onto what we wrote', () => {
    expect(canonical('fd00::1')).toBe('fd00:0:0:0:0:0:0:1');
    expect(canonical('10.1.0.0/16')).toBe('10.1.0.0/16');
    expect(canonical('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonical('junk')).toBeUndefined();
  });

  it('formats masks', () => {
    expect(formatIp(4, 0xffff0000n)).toBe('255.255.0.0');
  });
});
