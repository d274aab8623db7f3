import { canonicalIp } from './ip-address';

describe('canonicalIp', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:101', '2001:db8::101'],
    ['2001:db8::101', '2001:db8::101'],
    ['2001:0db8:0000:0000:0000:0000:0000:0101', '2001:db8::101'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::FFFF:198.18.0.1', '198.18.0.1'],
    ['::ffff:c612:1', '198.18.0.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['198.18.0.1', '198.18.0.1'],
  ])('%s is %s', (text, canonical) => expect(canonicalIp(text)).toBe(canonical));

  it.each(['010.1.1.1', '1.2.3', 'banana', '', '2001:db8::1::2', ' 1.2.3.4'])('%j is no address', (text) => expect(canonicalIp(text)).toBeUndefined());
});
