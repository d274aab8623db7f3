import { peerRange, peerRangeFromToken } from './peer-range';

describe('peerRange', () => {
  it('writes a single address as coturn reads it', () => {
    expect(peerRange({ type: 'ip', value: '127.0.0.2' })).toEqual({ target: { type: 'ip', value: '127.0.0.2' }, coturn: '127.0.0.2', token: '127.0.0.2' });
  });

  it('writes a prefix as first-last and masks host bits', () => {
    expect(peerRange({ type: 'cidr', value: '10.1.2.3/16' })).toEqual({ target: { type: 'cidr', value: '10.1.0.0/16' }, coturn: '10.1.0.0-10.1.255.255', token: '10.1.0.0_16' });
  });

  it('writes IPv6 in full groups that inet_pton reads', () => {
    expect(peerRange({ type: 'cidr', value: '2001:db8::/126' }).coturn).toBe('2001:db8:0:0:0:0:0:0-2001:db8:0:0:0:0:0:3');
    expect(peerRange({ type: 'ip', value: '::1' }).coturn).toBe('0:0:0:0:0:0:0:1');
  });

  it('treats a host prefix as an address', () => {
    expect(peerRange({ type: 'cidr', value: '192.0.2.7/32' }).target).toEqual({ type: 'ip', value: '192.0.2.7' });
  });

  it.each([
    ['ip', '127.0.0.2/8'],
    ['ip', '127.0.0.2 127.0.0.3'],
    ['ip', '127.0.0.2\r\nFLUSHALL'],
    ['ip', '*'],
    ['ip', '999.1.1.1'],
    ['cidr', '10.0.0.0/33'],
    ['cidr', '10.0.0.0/8/1'],
    ['cidr', '10.0.0.0/+8'],
    ['account', 'alice'],
  ] as const)('refuses %s %j', (type, value) => {
    expect(() => peerRange({ type, value })).toThrow();
  });

  it('reads its own tokens back and nothing else', () => {
    for (const value of ['127.0.0.2', '10.1.0.0/16', '2001:db8:0:0:0:0:0:0/126']) {
      const r = peerRange({ type: value.includes('/') ? 'cidr' : 'ip', value });
      expect(peerRangeFromToken(r.token)).toEqual(r);
    }
    for (const token of ['', '*', '10.1.2.3_16', '2001:db8::1', 'x']) expect(peerRangeFromToken(token)).toBeUndefined();
  });
});
