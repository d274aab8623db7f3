import fixture from './fixtures/coturn-4.6.1-session.json';
import { parsePeerLogLine } from './log-peer-line';

describe('parsePeerLogLine', () => {
  it('finds the peer of the captured session and nothing else in its log', () => {
    const events = fixture.log.map(parsePeerLogLine).filter((e) => e !== undefined);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => `${e.allocationId} ${e.peer.ip}:${e.peer.port} ${e.change}`))).toEqual(
      new Set(['000000000000000001 127.0.0.1:3481 updated', '000000000000000001 127.0.0.1:3481 deleted']),
    );
  });

  it('reads IPv6 peers', () => {
    expect(parsePeerLogLine('2026-11-22T00:44:09+0000: session 7: peer [2001:db8::1]:5004 lifetime updated: 300')).toEqual({
      kind: 'peer', allocationId: '7', peer: { ip: '2001:db8::1', port: 5004 }, change: 'updated',
    });
  });

  it.each([
    // a user name is client-chosen: text smuggled into it must not read as a peer line
    '2026-11-22T00:44:09+0000: session 1: realm <r> user <x: session 2: peer 10.0.0.1:1 deleted>: incoming packet REFRESH processed, success',
    '2026-11-22T00:44:09+0000: session 1: delete: realm=<r>, username=<a: session 9: peer 10.0.0.9:9 lifetime updated: 1>',
    '2026-11-22T00:44:09+0000: session 1: peer 999.0.0.1:3481 lifetime updated: 600',
    '2026-11-22T00:44:09+0000: session 1: peer usage: realm=<r>, username=<u>, rp=1, rb=1, sp=1, sb=1',
    `session 1: peer 10.0.0.1:1 deleted${' '.repeat(3000)}`,
  ])('ignores %s', (line) => {
    expect(parsePeerLogLine(line)).toBeUndefined();
  });
});
