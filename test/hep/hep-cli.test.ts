// `callsentry collector --hep-udp` as its own process on Kafka: HEP in, flow records on the topic,
// a forged packet without the auth key dead-lettered, a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { encodeHep3 } from '../../services/collector/hep/hep-encode';
import { registerExchange } from '../../services/collector/hep/test-support/hep-vectors';
import { HEADER } from '../../services/core/topics';
import { deleteTopics, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';

const CLI = path.resolve(__dirname, '../../dist/services/cli.js');

describe('callsentry collector --hep-udp', () => {
  const prefix = `it-${randomBytes(4).toString('hex')}.`;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run test:all does)`);
    await requireKafka();
  });
  afterAll(() => deleteTopics(prefix));

  it('produces the HEP-carried transactions and dead-letters packets without the key', async () => {
    const env = { ...process.env, CALLSENTRY_KAFKA_BROKERS: KAFKA_BROKERS.join(','), CALLSENTRY_TOPIC_PREFIX: prefix, HEP_KEY: 'cli-secret' };
    const collector = spawn(process.execPath, [CLI, 'collector', '--hep-udp', '127.0.0.1:0', '--hep-auth-key-env', 'HEP_KEY'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    collector.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => collector.once('exit', (code) => r(code)));
    try {
      expect(await waitFor(() => /HEP collector listening/.test(stderr), 60_000, 50)).toBe(true);
      const port = JSON.parse(stderr.split('\n').find((l) => l.includes('HEP collector listening'))!).udp.port as number;
      expect(stderr).not.toContain('cli-secret');

      const t0 = Date.now() - 5_000;
      const hep = (key: string) =>
        registerExchange('cli-call').map((m, i) =>
          encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol: 17, timeMs: t0 + 20 * i, protocolType: 1, captureId: 7, authKey: key, payload: m.bytes }),
        );
      const socket = createSocket('udp4');
      for (const p of [...hep('cli-secret'), hep('wrong-key')[0]]) await new Promise<void>((res, rej) => socket.send(p, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
      socket.close();

      const got: Record<string, string[]> = { flows: [], dlq: [] };
      const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-hep-cli', logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}reader` });
      await consumer.connect();
      // the collector creates its topics at start; it is listening, so they exist
      await consumer.subscribe({ topics: [`${prefix}flows.sip.v1`, `${prefix}flows.sip.v1.dlq`], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          if (topic.endsWith('.dlq')) got.dlq.push(String(message.headers?.[HEADER.dlqDetail]));
          else got.flows.push(JSON.parse(message.value!.toString()).sip.method);
        },
      });
      const done = await waitFor(() => got.flows.length >= 2 && got.dlq.length >= 1, 60_000);
      await consumer.disconnect();
      expect(done).toBe(true);
      expect(got.flows.sort()).toEqual(['REGISTER', 'REGISTER']);
      expect(got.dlq[0]).toMatch(/^hep\/auth-failed/);
    } finally {
      collector.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
