import { isKeepAlive, looksLikeSip, nextSipStart } from './sip-sniff';

const b = (s: string) => Buffer.from(s);

test('start lines are recognised from their first bytes', () => {
  expect(looksLikeSip(b('INVITE sip:a@b SIP/2.0\r\nVia: x'))).toBe(true);
  expect(looksLikeSip(b('SIP/2.0 200 OK\r\n'))).toBe(true);
  expect(looksLikeSip(b('\r\nOPTIONS sip:a SIP/2.0\r\n'))).toBe(true);
  expect(looksLikeSip(b('GET / HTTP/1.1\r\nHost: x\r\n'))).toBe(false);
  expect(looksLikeSip(Buffer.from([0x80, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).toBe(false);
});

test('keep-alives', () => {
  expect(isKeepAlive(b('\r\n\r\n'))).toBe(true);
  expect(isKeepAlive(Buffer.alloc(4))).toBe(true);
  expect(isKeepAlive(b('jaK\n'))).toBe(false);
});

test('the next start line is found after a line break or glued to the end of a body', () => {
  const after = b('junk\r\nBYE sip:a@b SIP/2.0\r\n');
  expect(nextSipStart(after, 0)).toBe(6);
  const glued = b('...body bytesPRACK sip:a@b SIP/2.0\r\n');
  expect(glued.toString('latin1', nextSipStart(glued, 0))).toMatch(/^PRACK /);
  const status = b('xxSIP/2.0 180 Ringing\r\n');
  expect(nextSipStart(status, 0)).toBe(2);
  expect(nextSipStart(b('Via: SIP/2.0/UDP host\r\n'), 0)).toBe(-1);
});
