import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { PromMetricsRegistry } from '../metrics-prom/prom-registry';
import { silentLogger } from '../../core/ports';
import type { SipFlow } from '../../core/records';
import { encodeHep3 } from '../../collector/hep/hep-encode';
import type { FlowRecord } from '../../collector/hep/hep-source';
import { registerExchange } from '../../collector/hep/test-support/hep-vectors';
import { startHepCollector, type HepCollector, type HepCollectorOptions } from './hep-listener';

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

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('startHepCollector', () => {
  let collector: HepCollector | undefined;
  const records: FlowRecord[] = [];
  const rejects: Array<[string, string]> = [];
  const start = async (over: Partial<HepCollectorOptions> = {}) => {
    collector = await startHepCollector({
      udp: { host: LOOPBACK, port: 0 },
      tcp: { host: LOOPBACK, port: 0 },
      observerId: 'hep-test',
      onRecord: (r) => void records.push(r),
      onReject: (reason, detail) => void rejects.push([reason, detail]),
      log: silentLogger,
      metrics: new PromMetricsRegistry(),
      ...over,
    });
    return collector;
  };
  afterEach(async () => {
    await collector?.stop();
    collector = undefined;
    records.length = 0;
    rejects.length = 0;
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

  it('refuses records beyond maxPending while the bus is behind, counts them, and keeps order for the rest', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = await start({ limits: { maxPending: 1 }, onRecord: (r) => gate.then(() => void records.push(r)) });
    await sendUdp(c.addresses.udp!.port, exchange(17));
    await until(() => c.stats.packets === 4);
    expect(c.stats.rejected).toEqual({ backpressure: 1 });
    release();
    await c.stop();
    expect((records as SipFlow[]).map((f) => f.sip.status)).toEqual([401]);
  });

  it('defaults to UDP on 127.0.0.1:9060 when no endpoint is given', async () => {
    const c = await start({ udp: undefined, tcp: undefined }).catch((err: NodeJS.ErrnoException) => err);
    if (c instanceof Error) expect(c.code).toBe('EADDRINUSE'); // someone else's collector on this host
    else expect([c.addresses.udp?.address, c.addresses.udp?.port, c.addresses.tcp]).toEqual([LOOPBACK, 9060, undefined]);
  });
});
