// End to end with a real capture agent: Kamailio's siptrace module, in a network namespace,
// mirrors the SIP it receives and sends as HEP v3 (with an authentication key) to the collector;
// a client registers with a real digest challenge over UDP and pings over TCP; the transactions
// are read back from Kafka. The lab is built and removed by infra/lab/hep-lab.sh.
// Needs root (network namespaces), the Debian package kamailio, and the broker (`npm run kafka:start`).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startHepCollector, type HepCollector } from '../../services/adapters/hep/hep-listener';
import { Ingest } from '../../services/collector/ingest';
import { silentLogger } from '../../services/core/ports';
import type { SipFlow } from '../../services/core/records';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const LAB = join(__dirname, '../../infra/lab/hep-lab.sh');
const HOST_IP = '10.249.60.1';
const KAMAILIO = '10.249.60.2';
const AUTH_KEY = 'callsentry-lab-key';
const REALM = 'lab.callsentry';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function lab(...args: string[]): string {
  return execFileSync('bash', [LAB, ...args], { encoding: 'utf8', env: { ...process.env, CALLSENTRY_HEP_AUTH_KEY: AUTH_KEY }, timeout: 30_000 });
}

function requireLab(): void {
  const missing = [];
  if (process.getuid?.() !== 0) missing.push('root (network namespaces)');
  if (!existsSync('/usr/sbin/kamailio')) missing.push('the Debian package kamailio (apt-get install kamailio; listed in infra/apt-packages.txt)');
  if (missing.length) throw new Error(`The Kamailio HEP lab needs ${missing.join(' and ')}. It is started by this test through infra/lab/hep-lab.sh.`);
}

function request(method: string, transport: 'UDP' | 'TCP', localPort: number, o: { callId: string; cseq: number; extra?: string[] }): Buffer {
  const lines = [
    `${method} sip:${REALM} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${HOST_IP}:${localPort};rport;branch=z9hG4bK-${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:105@${REALM}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:105@${REALM}>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${method}`,
    `Contact: <sip:105@${HOST_IP}:${localPort}>`,
    'User-Agent: callsentry-lab-phone',
    ...(o.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** A UDP SIP client bound to the host end of the veth: sends a request, waits for the final response. */
async function udpClient() {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST_IP, resolve));
  const port = socket.address().port;
  const ask = (msg: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response from Kamailio')), 5000);
      const onMessage = (m: Buffer) => {
        const text = m.toString();
        if (/^SIP\/2\.0 1\d\d/.test(text)) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(text);
      };
      socket.on('message', onMessage);
      socket.send(msg, 5060, KAMAILIO);
    });
  return { port, ask, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

function digestAuthorization(challenge: string): string {
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1];
  if (!nonce) throw new Error(`no nonce in ${challenge}`);
  const uri = `sip:${REALM}`;
  const ha1 = md5(`105:${REALM}:lab-password`);
  const ha2 = md5(`REGISTER:${uri}`);
  if (/qop="?auth/.test(challenge)) {
    const cnonce = randomBytes(4).toString('hex');
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
    return `Authorization: Digest username="105", realm="${REALM}", nonce="${nonce}", uri="${uri}", qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
  }
  return `Authorization: Digest username="105", realm="${REALM}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}", algorithm=MD5`;
}

describe('Kamailio siptrace (HEP v3) to Kafka', () => {
  let rt: Runtime | undefined;
  let collector: HepCollector | undefined;
  let prefix = '';
  beforeAll(async () => {
    requireLab();
    await requireKafka();
    lab('up');
  });
  afterAll(async () => {
    await collector?.stop().catch(() => undefined);
    await rt?.bus.close().catch(() => undefined);
    try {
      lab('down');
    } catch {
      // already gone
    }
    if (prefix) await deleteTopics(prefix);
  });

  it('finds the REGISTER challenge, the authenticated REGISTER and a TCP OPTIONS on flows.sip.v1', async () => {
    const cfg = kafkaConfig(1);
    prefix = cfg.bus.topic_prefix;
    rt = createRuntime(cfg, { log: silentLogger });
    await ensureTopics(rt);
    const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'kamailio-lab' });
    const rejected: string[] = [];
    collector = await startHepCollector({
      udp: { host: HOST_IP, port: 0 },
      authKey: AUTH_KEY,
      observerId: 'kamailio-lab',
      onRecord: (r) => ingest.record(r),
      onReject: (reason, detail) => void rejected.push(`${reason}: ${detail}`),
      log: silentLogger,
      metrics: rt.metrics,
    });
    lab('kamailio', String(collector.addresses.udp!.port));

    const phone = await udpClient();
    const callId = `lab-reg-${randomBytes(4).toString('hex')}`;
    const challenge = await phone.ask(request('REGISTER', 'UDP', phone.port, { callId, cseq: 1 }));
    expect(challenge).toMatch(/^SIP\/2\.0 401/);
    const ok = await phone.ask(request('REGISTER', 'UDP', phone.port, { callId, cseq: 2, extra: [digestAuthorization(challenge)] }));
    expect(ok).toMatch(/^SIP\/2\.0 200/);
    await phone.close();

    const tcpCallId = `lab-tcp-${randomBytes(4).toString('hex')}`;
    const conn = connect({ host: KAMAILIO, port: 5060, localAddress: HOST_IP });
    await new Promise<void>((resolve, reject) => conn.once('connect', resolve).once('error', reject));
    const tcpAnswer = new Promise<string>((resolve) => conn.once('data', (d) => resolve(d.toString())));
    conn.write(request('OPTIONS', 'TCP', conn.localPort!, { callId: tcpCallId, cseq: 1 }));
    expect(await tcpAnswer).toMatch(/^SIP\/2\.0 200/);
    conn.end();

    // siptrace mirrors each request and its response: 6 HEP packets
    expect(await waitFor(() => collector!.stats.sip.messages >= 6, 10_000)).toBe(true);
    await collector.stop();
    await ingest.flush();
    expect(rejected).toEqual([]);

    const flows: SipFlow[] = [];
    const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-kamailio', logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}lab-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [rt.topics.name('flows.sip.v1')], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void flows.push(JSON.parse(message.value!.toString())) });
    const complete = await waitFor(() => flows.length >= 3, 60_000);
    await consumer.disconnect();
    expect(complete).toBe(true);

    expect(flows.map((f) => [f.sip.call_id, f.network.transport, f.sip.method, f.sip.status, f.sip.auth_user ?? null, f.sip.source_proven]).sort()).toEqual(
      [
        [callId, 'udp', 'REGISTER', 401, null, false],
        // answered Kamailio's own nonce: proof that 10.249.60.1 receives what is sent to it
        [callId, 'udp', 'REGISTER', 200, '105', true],
        [tcpCallId, 'tcp', 'OPTIONS', 200, null, true],
      ].sort(),
    );
    for (const f of flows) {
      expect(f).toMatchObject({ source: { ip: HOST_IP }, destination: { ip: KAMAILIO, port: 5060 }, observer: { id: 'kamailio-lab' }, user_agent: { original: 'callsentry-lab-phone' } });
    }
  });
});
