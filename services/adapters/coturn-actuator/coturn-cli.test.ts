import { parseSessionIds } from './coturn-cli';

// `ps lab` as coturn 4.6.1 printed it (two of its sessions)
const PS = [
  '',
  '    1) id=001000000000000001, user <lab>:',
  '      realm: callsentry.test',
  '      client addr 127.0.0.1:56611, server addr 127.0.0.1:3578',
  '      relay addr 127.0.0.1:49402',
  '',
  '    2) id=000000000000000005, user <lab>:',
  '      realm: callsentry.test',
  '      peers:',
  '          127.0.0.2:23456',
  '',
  '    3) id=000000000000000009, user <lab2>:',
  '',
  '  Total sessions: 3',
  '',
  '> ',
].join('\r\n');

describe('parseSessionIds', () => {
  it('lists the sessions of exactly that user', () => {
    expect(parseSessionIds(PS, 'lab')).toEqual(['001000000000000001', '000000000000000005']);
    expect(parseSessionIds(PS, 'lab2')).toEqual(['000000000000000009']);
    expect(parseSessionIds(PS, 'la')).toEqual([]);
  });

  it('finds nothing in an empty listing', () => {
    expect(parseSessionIds('\r\n  Total sessions: 0\r\n\r\n> ', 'lab')).toEqual([]);
  });
});
