import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { PromMetricsRegistry } from '../metrics-prom/prom-registry';
import { silentLogger } from '../../core/ports';
import type { SipFlow } from '../../core/records';
import { encodeHep3 } from '../../collector/hep/hep-encode';
import type { FlowRecord } from '../../collector/hep/hep-source';
import { registerExchange } from '../../collector/hep/test-support/hep-vectors';
import { sourceKey, startHepCollector, type HepCollector, type HepCollectorOptions } from './hep-listener';

const LOOPBACK = '127.0.0.1';

function exchange(ipProtocol: number, authKey?: string, call = String(ipProtocol)): Buffer[] {
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  return registerExchange(call).map((m, i) =>
    encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol, timeMs: t0 + 20 * i, protocolType: 1, payload: m.bytes, ...(authKey && { authKey }) }),
  );
}

async function sendUdp(port: number, packets: Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of packets) await new Promise<void>((resolve, reject) => s.send(p, port, LOOPBACK, (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

/** Writes the bytes cut into small pieces, as a TCP stream may deliver them; resolves once the connection is closed. */
async function sendTcp(port: number, bytes: Buffer, pieceBytes = 7): Promise<void> {
  const s = connect(port, LOOPBACK);
  // the server may close first (a refused stream): listen for the end before writing
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()).on('error', () => undefined));
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  for (let o = 0; o < bytes.length && !s.destroyed; o += pieceBytes) {
    s.write(bytes.subarray(o, o + pieceBytes));
    await new Promise((r) => setImmediate(r));
  }
  s.end();
  await closed;
}

async function until(done: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('startHepCollector', () => {
  let collector: HepCollector | undefined;
  const records: FlowRecord[] = [];
  const rejects: Array<[string, string]> = [];
  let registry = new PromMetricsRegistry();
  const start = async (over: Partial<HepCollectorOptions> = {}) => {
    collector = await startHepCollector({
      udp: { host: LOOPBACK, port: 0 },
      tcp: { host: LOOPBACK, port: 0 },
      observerId: 'hep-test',
      onRecord: (r) => void records.push(r),
      onReject: (reason, detail) => void rejects.push([reason, detail]),
      log: silentLogger,
      metrics: registry,
      ...over,
    });
    return collector;
  };
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
    records.length = 0;
    rejects.length = 0;
    registry = new PromMetricsRegistry();
  });

  it('binds ephemeral UDP and TCP ports and turns HEP from both into SIP flows', async () => {
    const c = await start();
    expect(c.addresses.udp?.port).toBeGreaterThan(0);
    expect(c.addresses.tcp?.port).toBeGreaterThan(0);
    await sendUdp(c.addresses.udp!.port, exchange(17));
    await sendTcp(c.addresses.tcp!.port, Buffer.concat(exchange(6)));
    await until(() => records.length === 4);
    const flows = records as SipFlow[];
    expect(flows.map((f) => [f.network.transport, f.sip.status, f.sip.source_proven, f.observer?.id]).sort()).toEqual(
      [
        ['udp', 401, false, 'hep-test'],
        ['udp', 200, true, 'hep-test'],
        ['tcp', 401, true, 'hep-test'],
        ['tcp', 200, true, 'hep-test'],
      ].sort(),
    );
    expect(c.stats.packets).toBe(8);
    expect(rejects).toEqual([]);
  });

  it('refuses oversized datagrams, packets without the key, and closes a TCP stream that stops being HEP', async () => {
    const c = await start({ authKey: 's3cret', limits: { maxDatagramBytes: 2000 } });
    await sendUdp(c.addresses.udp!.port, [Buffer.alloc(3000), exchange(17)[0]!, exchange(17, 's3cret')[0]!]);
    await sendTcp(c.addresses.tcp!.port, Buffer.concat([exchange(6, 's3cret')[0]!, Buffer.from('GET / HTTP/1.1\r\n\r\n')]));
    await until(() => rejects.length === 3 && c.stats.packets === 3);
    expect(rejects.map(([r]) => r).sort()).toEqual(['auth-failed', 'oversized', 'stream-desync']);
    expect(c.stats.rejected).toEqual({ oversized: 1, 'auth-failed': 1, 'stream-desync': 1 });
    // the two REGISTERs that passed are still open: stop() emits them as they stand
    await c.stop();
    expect(records).toHaveLength(2);
  });

  it('stops reading TCP while the bus is behind, and loses none of what it read', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = await start({ limits: { maxPending: 2 }, onRecord: (r) => gate.then(() => void records.push(r)) });
    // 50 REGISTER exchanges on one connection: 100 flows, 50 times the limit
    const stream = Buffer.concat(Array.from({ length: 50 }, (_, i) => exchange(6, undefined, `tcp-${i}`)).flat());
    const sending = sendTcp(c.addresses.tcp!.port, stream, 4096);
    await until(async () => (await registry.gauge('callsentry_hep_reading_paused', '').get()) === 1);
    release();
    await sending;
    await until(() => records.length === 100);
    expect(c.stats.rejected).toEqual({});
    expect((records as SipFlow[]).filter((f) => f.sip.status === 200)).toHaveLength(50);
  });

  it('under backpressure drops UDP datagrams unread and counts them; records already parsed are never dropped', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = await start({ limits: { maxPending: 1 }, onRecord: (r) => gate.then(() => void records.push(r)) });
    await sendUdp(c.addresses.udp!.port, exchange(17));
    // REGISTER, then its 401 (a record: the limit is reached), then two datagrams dropped unread
    await until(async () => (await registry.counter('callsentry_hep_udp_dropped_total', '').total()) === 2);
    expect(c.stats.packets).toBe(2);
    expect(c.stats.rejected).toEqual({});
    release();
    await c.stop();
    // the 401 transaction, and the second REGISTER never read; nothing refused after parsing
    expect((records as SipFlow[]).map((f) => f.sip.status)).toEqual([401]);
  });

  it('flushes every open transaction as timed out at shutdown, however many wait for the bus', async () => {
    const c = await start({ limits: { maxPending: 100 }, onRecord: async (r) => void records.push(r) });
    // 2,000 REGISTERs nobody answers, over TCP
    const t0 = Date.now();
    const open = Array.from({ length: 2000 }, (_, i) => {
      const m = registerExchange(`open-${i}`)[0]!;
      return encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol: 6, timeMs: t0, protocolType: 1, payload: m.bytes });
    });
    await sendTcp(c.addresses.tcp!.port, Buffer.concat(open), 65_536);
    await until(() => c.stats.packets === 2000);
    await c.stop();
    expect(records).toHaveLength(2000);
    expect((records as SipFlow[]).every((f) => f.sip.status === undefined)).toBe(true);
    expect(c.stats.sip.timeouts).toBe(2000);
    expect(c.stats.rejected).toEqual({});
  });

  it('replaces capture times too far in the future by the receive time, and counts them per sensor', async () => {
    const c = await start({ limits: { maxFutureMs: 2000 } });
    const ahead = Date.now() + 150_000;
    const m = registerExchange('ahead')[0]!;
    await sendUdp(c.addresses.udp!.port, [encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol: 17, timeMs: ahead, protocolType: 1, payload: m.bytes })]);
    await until(() => c.stats.packets === 1);
    expect(await registry.counter('callsentry_hep_future_time_total', '').get({ sensor: 'hep-test' })).toBe(1);
    await c.stop();
    expect(Date.parse(records[0]!['@timestamp'])).toBeLessThan(ahead - 100_000);
  });

  it('will not listen beyond loopback without an auth key, unless told to', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      await expect(start({ udp: { host, port: 0 }, tcp: undefined })).rejects.toThrow(/not loopback and no auth key is set.*--hep-allow-unauthenticated/);
      await expect(start({ udp: undefined, tcp: { host, port: 0 } })).rejects.toThrow(/HEP tcp listener .* is not loopback/);
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      const c = await start({ udp: { host, port: 0 }, tcp: undefined });
      await c.stop();
    }
    // a key, or the explicit flag, allows any address
    await (await start({ udp: { host: '0.0.0.0', port: 0 }, tcp: undefined, authKey: 'k' })).stop();
    await (await start({ udp: { host: '0.0.0.0', port: 0 }, tcp: undefined, allowUnauthenticated: true })).stop();
    collector = undefined;
  });

  describe('slow TCP senders', () => {
    const open = async (port: number, localAddress = LOOPBACK) => {
      const s = connect({ port, host: LOOPBACK, localAddress });
      const closed = new Promise<void>((resolve) => s.once('close', () => resolve()).on('error', () => undefined));
      await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
      return { s, closed };
    };

    it('limits connections per source address, so trickling connections from one address cannot fill the server', async () => {
      const c = await start({ limits: { maxConnectionsPerSource: 3 } });
      const mine = await Promise.all([1, 2, 3, 4, 5].map(() => open(c.addresses.tcp!.port)));
      await Promise.race(mine.slice(3).map((m) => m.closed));
      await Promise.all(mine.slice(3).map((m) => m.closed));
      expect(await registry.counter('callsentry_hep_connections_closed_total', '').get({ reason: 'per-source' })).toBe(2);
      // a real agent at another address still gets in and is heard
      const agent = await open(c.addresses.tcp!.port, '127.0.0.2');
      for (const p of exchange(6)) agent.s.write(p);
      await until(() => records.length === 2);
      for (const m of [...mine, agent]) m.s.destroy();
    });

    it('counts an IPv6 /64 as one source (one host holds all of it), and an IPv4-mapped address as its IPv4 address', () => {
      expect(sourceKey('2001:db8:1:2::1')).toBe(sourceKey('2001:db8:1:2:ffff:ffff:ffff:fffe'));
      expect(sourceKey('2001:db8:1:2::1')).not.toBe(sourceKey('2001:db8:1:3::1'));
      expect(sourceKey('::ffff:192.0.2.7')).toBe(sourceKey('192.0.2.7'));
      expect(sourceKey('192.0.2.7')).not.toBe(sourceKey('192.0.2.8'));
    });

    it('closes a connection whose message does not complete in time', async () => {
      const c = await start({ limits: { messageDeadlineMs: 200 } });
      const slow = await open(c.addresses.tcp!.port);
      slow.s.write(exchange(6)[0]!.subarray(0, 10));
      await slow.closed;
      expect(await registry.counter('callsentry_hep_connections_closed_total', '').get({ reason: 'message-deadline' })).toBe(1);
    });

    it('closes a connection that trickles bytes but completes no message: the trickle does not reset the idle timeout', async () => {
      const c = await start({ limits: { idleTimeoutMs: 300, messageDeadlineMs: 60_000 } });
      const trickle = await open(c.addresses.tcp!.port);
      // a valid first message, then one byte at a time of a message that is never finished
      const [first, second] = exchange(6);
      trickle.s.write(first!);
      let sent = 0;
      let closed = false;
      void trickle.closed.then(() => (closed = true));
      while (!closed && sent < 200) {
        trickle.s.write(second!.subarray(sent, sent + 1));
        sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(closed).toBe(true);
      expect(sent).toBeLessThan(second!.length);
      expect(await registry.counter('callsentry_hep_connections_closed_total', '').get({ reason: 'idle' })).toBe(1);
    });
  });

  it('defaults to UDP on 127.0.0.1:9060 when no endpoint is given', async () => {
    const c = await start({ udp: undefined, tcp: undefined }).catch((err: NodeJS.ErrnoException) => err);
    if (c instanceof Error) expect(c.code).toBe('EADDRINUSE'); // someone else's collector on this host
    else expect([c.addresses.udp?.address, c.addresses.udp?.port, c.addresses.tcp]).toEqual([LOOPBACK, 9060, undefined]);
  });
});
