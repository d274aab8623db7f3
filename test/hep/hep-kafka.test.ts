// HEP v3 capture on a real Apache Kafka broker: the collector listens on ephemeral UDP and TCP
// ports, an agent sends real HEP3 packets (encoded from the specification and checked byte for
// byte against a hand-built vector in services/collector/hep/hep-encode.test.ts) carrying a SIP
// REGISTER exchange and an RTCP report, and the flow records are read back from the flow topics.
// Needs the broker: `npm run kafka:start`.
import { createSocket } from 'node:dgram';
import { partitionNetwork } from '../../services/core/source-network';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { startHepCollector, type HepCollector } from '../../services/adapters/hep/hep-listener';
import { encodeHep3 } from '../../services/collector/hep/hep-encode';
import { registerExchange, rtcpSenderReport } from '../../services/collector/hep/test-support/hep-vectors';
import { Ingest } from '../../services/collector/ingest';
import { silentLogger } from '../../services/core/ports';
import type { MediaFlow, SipFlow } from '../../services/core/records';
import { HEADER } from '../../services/core/topics';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const LOOPBACK = '127.0.0.1';
// recent capture times: the collector replaces times far from its own clock
const T0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const AUTH_KEY = 'hep-it-key';

function exchangeAsHep(call: string, ipProtocol: number): Buffer[] {
  return registerExchange(call).map((m, i) =>
    encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol, timeMs: T0 + 20 * i, protocolType: 1, captureId: 2001, authKey: AUTH_KEY, payload: m.bytes }),
  );
}

async function sendUdp(port: number, packets: Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  for (const p of packets) await new Promise<void>((resolve, reject) => s.send(p, port, LOOPBACK, (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

/** One TCP connection carrying every message back to back, written in uneven pieces. */
async function sendTcp(port: number, stream: Buffer): Promise<void> {
  const s = connect(port, LOOPBACK);
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()).on('error', () => undefined));
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  for (let o = 0, piece = 5; o < stream.length; o += piece, piece = (piece * 7) % 97 + 1) {
    s.write(stream.subarray(o, o + piece));
    await new Promise((r) => setImmediate(r));
  }
  s.end();
  await closed;
}

describe('HEP v3 capture to Kafka', () => {
  let rt: Runtime | undefined;
  let collector: HepCollector | undefined;
  let prefix = '';
  beforeAll(requireKafka);
  afterAll(async () => {
    await collector?.stop().catch(() => undefined);
    await rt?.bus.close().catch(() => undefined);
    if (prefix) await deleteTopics(prefix);
  });

  it('finds the SIP transactions sent over UDP and TCP, and the RTCP stream, on flows.sip.v1 and flows.media.v1', async () => {
    const cfg = kafkaConfig(2);
    prefix = cfg.bus.topic_prefix;
    rt = createRuntime(cfg, { log: silentLogger });
    await ensureTopics(rt);
    const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'hep-it' });
    const rejected: string[] = [];
    collector = await startHepCollector({
      udp: { host: LOOPBACK, port: 0 },
      tcp: { host: LOOPBACK, port: 0 },
      authKey: AUTH_KEY,
      observerId: 'hep-it',
      onRecord: (r) => ingest.record(r),
      onReject: (reason) => void rejected.push(reason),
      log: silentLogger,
      metrics: rt.metrics,
    });

    await sendUdp(collector.addresses.udp!.port, [
      ...exchangeAsHep('udp', 17),
      encodeHep3({ src: { ip: '198.51.100.7', port: 40001 }, dst: { ip: '203.0.113.10', port: 50001 }, timeMs: T0 + 5000, protocolType: 5, correlationId: 'reg-hep-udp', authKey: AUTH_KEY, payload: rtcpSenderReport({ packets: 500, octets: 80_000, lost: 4, jitter: 40 }) }),
      // a forged packet without the key: refused, never a record
      encodeHep3({ src: { ip: '192.0.2.66', port: 5060 }, dst: { ip: '203.0.113.10', port: 5060 }, protocolType: 1, payload: registerExchange('forged')[0]!.bytes }),
    ]);
    await sendTcp(collector.addresses.tcp!.port, Buffer.concat(exchangeAsHep('tcp', 6)));
    expect(await waitFor(() => collector!.stats.packets === 10, 10_000)).toBe(true);
    // the RTCP stream is emitted when its reports stop; stopping the collector is the end of input
    await collector.stop();
    await ingest.flush();
    expect(rejected).toEqual(['auth-failed']);
    // two media flows from one sender report: the author's own stream, and the one its block reports on
    expect(ingest.stats).toMatchObject({ accepted: 6, sip: 4, media: 2, rejected: {} });

    const sip: SipFlow[] = [];
    const media: MediaFlow[] = [];
    const sensors = new Set<string>();
    const unkeyed: string[] = [];
    const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-hep', logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}hep-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [rt.topics.name('flows.sip.v1'), rt.topics.name('flows.media.v1')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const v = JSON.parse(message.value!.toString());
        sensors.add(String(message.headers?.[HEADER.sensor]));
        (topic.endsWith('flows.sip.v1') ? sip : media).push(v);
        // SIP flows keyed by the source's network (the source-keyed detectors and sip/network-attack
        // read them by it), media flows by the source address
        const key = topic.endsWith('flows.sip.v1') ? partitionNetwork(v.source.ip) : v.source.ip;
        if (message.key?.toString() !== key) unkeyed.push(v.event.id);
      },
    });
    const complete = await waitFor(() => sip.length >= 4 && media.length >= 2, 60_000);
    await consumer.disconnect();
    expect(complete).toBe(true);

    expect(sip.map((f) => [f.sip.call_id, f.network.transport, f.sip.method, f.sip.status, f.sip.auth_user ?? null, f.sip.source_proven, f['@timestamp']]).sort()).toEqual(
      [
        ['reg-hep-udp', 'udp', 'REGISTER', 401, null, false, new Date(T0).toISOString()],
        ['reg-hep-udp', 'udp', 'REGISTER', 200, '105', true, new Date(T0 + 40).toISOString()],
        ['reg-hep-tcp', 'tcp', 'REGISTER', 401, null, true, new Date(T0).toISOString()],
        ['reg-hep-tcp', 'tcp', 'REGISTER', 200, '105', true, new Date(T0 + 40).toISOString()],
      ].sort(),
    );
    expect(sip.every((f) => f.observer?.id === 'hep-it' && f.source.ip === '198.51.100.7' && f.destination.ip === '203.0.113.10')).toBe(true);
    const bySsrc = Object.fromEntries(media.map((m) => [m.media.ssrc, m]));
    expect(bySsrc[0x11111111]).toMatchObject({ source: { ip: '198.51.100.7', port: 40001 }, media: { call_id: 'reg-hep-udp', packets: 500, bytes: 80_000, srtp: false } });
    expect(bySsrc[0x22222222]).toMatchObject({ source: { ip: '203.0.113.10', port: 50001 }, media: { call_id: 'reg-hep-udp', lost: 4, jitter_ms: 5 } });
    expect([...sensors]).toEqual(['hep-it']);
    expect(unkeyed).toEqual([]);
  });
});
