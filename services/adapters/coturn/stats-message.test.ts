import fixture from './fixtures/coturn-4.6.1-session.json';
import { parseStatsMessage, MAX_MESSAGE_LENGTH } from './stats-message';
import { parseStatsChannel, statsPattern } from './stats-channel';

const CH = 'turn/realm/callsentry.test/user/lab/allocation/000000000000000001';

describe('parseStatsMessage on what coturn 4.6.1 really published', () => {
  it('parses every message of the captured session', () => {
    const parsed = fixture.messages.map((m) => parseStatsMessage(m.channel, m.message));
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    expect(parsed.map((p) => (p.ok ? p.value.kind : '?'))).toEqual(fixture.messages.map((m) => m.channel.replace(/.*\/allocation\/\d+\/([a-z_]+).*/, '$1')));
  });

  it('reads a status with lifetime, transport and both endpoints', () => {
    const p = parseStatsMessage(`${CH}/status`, 'new lifetime=777, type=UDP, local=127.0.0.1:3478, remote=127.0.0.1:44210, ssl=NONE, cipher=NONE');
    expect(p).toEqual({
      ok: true,
      value: {
        kind: 'status', status: 'new', realm: 'callsentry.test', user: 'lab', allocationId: '000000000000000001',
        lifetimeSeconds: 777, transport: 'udp', local: { ip: '127.0.0.1', port: 3478 }, remote: { ip: '127.0.0.1', port: 44210 },
      },
    });
  });

  it('reads deleted, and TLS over TCP as tls', () => {
    expect(parseStatsMessage(`${CH}/status`, 'deleted')).toMatchObject({ ok: true, value: { status: 'deleted' } });
    const tls = parseStatsMessage(`${CH}/status`, 'refreshed lifetime=0, type=TCP, local=[::1]:5349, remote=[2001:db8::7]:50000, ssl=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384');
    expect(tls).toMatchObject({ ok: true, value: { transport: 'tls', lifetimeSeconds: 0, remote: { ip: '2001:db8::7', port: 50000 } } });
  });

  it('reads client and peer traffic, per report and in total', () => {
    expect(parseStatsMessage(`${CH}/traffic/peer`, 'rcvp=1019, rcvb=101900, sentp=1019, sentb=101900')).toMatchObject({
      ok: true, value: { kind: 'traffic', side: 'peer', counters: { rcvp: 1019, rcvb: 101900, sentp: 1019, sentb: 101900 } },
    });
    expect(parseStatsMessage(`${CH}/total_traffic`, 'rcvp=3011, rcvb=313212, sentp=3011, sentb=312928')).toMatchObject({
      ok: true, value: { kind: 'total_traffic', side: 'client' },
    });
  });

  it.each([
    ['unknown-channel', 'turn/user/lab/allocation/1/status', 'deleted'],
    ['unknown-channel', `${CH}/bandwidth`, 'rcvp=1, rcvb=1, sentp=1, sentb=1'],
    ['unknown-channel', 'turn/realm/r/user/u/allocation/12ab/status', 'deleted'],
    ['unknown-channel', 'turn/realm//user/u/allocation/1/status', 'deleted'],
    ['bad-status', `${CH}/status`, 'expired lifetime=1'],
    ['bad-status', `${CH}/status`, 'new type=UDP'],
    ['bad-status', `${CH}/status`, 'new lifetime=-5'],
    ['bad-status', `${CH}/status`, 'new lifetime=5, lifetime=6'],
    ['bad-status', `${CH}/status`, 'new lifetime=5,type=UDP'],
    ['bad-endpoint', `${CH}/status`, 'new lifetime=5, remote=300.1.1.1:5'],
    ['bad-endpoint', `${CH}/status`, 'new lifetime=5, remote=127.0.0.1:70000'],
    ['bad-traffic', `${CH}/traffic`, 'rcvp=1, rcvb=1, sentp=1'],
    ['bad-traffic', `${CH}/traffic`, 'rcvp=1, rcvb=1, sentp=1, sentb=x'],
    ['bad-traffic', `${CH}/traffic`, 'rcvp=1, rcvb=1, sentp=1, sentb=1, peer=10.0.0.1'],
    ['bad-traffic', `${CH}/traffic`, 'rcvp=1e9, rcvb=1, sentp=1, sentb=1'],
    ['bad-traffic', `${CH}/traffic`, ''],
    ['oversized', `${CH}/traffic`, 'x'.repeat(MAX_MESSAGE_LENGTH)],
  ])('rejects with reason %s: %s %s', (reason, channel, message) => {
    const p = parseStatsMessage(channel, message);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.bad.reason).toBe(reason);
      expect(p.bad.raw.length).toBeLessThanOrEqual(300);
    }
  });
});

describe('stats channels', () => {
  it('keeps a user name that holds slashes, cutting the realm at the first marker', () => {
    expect(parseStatsChannel('turn/realm/r.test/user/a/allocation/b/allocation/42/status')).toEqual({
      realm: 'r.test', user: 'a/allocation/b', allocationId: '42', kind: 'status',
    });
  });

  it('subscribes to every realm, or to one with its glob characters escaped', () => {
    expect(statsPattern()).toBe('turn/realm/*/user/*/allocation/*');
    expect(statsPattern('callsentry.test')).toBe('turn/realm/callsentry.test/user/*/allocation/*');
    expect(statsPattern('a*b[c]')).toBe('turn/realm/a\\*b\\[c\\]/user/*/allocation/*');
  });
});
