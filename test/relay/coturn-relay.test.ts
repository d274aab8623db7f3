// The relay source against the real coturn: infra/coturn/start.sh (idempotent, quick when it already
// runs) brings up turnserver with its Redis statistics; turnutils_uclient relays real UDP through it
// to turnutils_peer, and the source must turn coturn's reports into valid media flow records.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../services/core/clock';
import { silentLogger } from '../../services/core/ports';
import type { MediaFlow } from '../../services/core/records';
import { validateMediaFlow } from '../../services/core/validate';
import { startRelaySource, type RelayReject, type RelaySource } from '../../services/collector/relay/relay-source';
import { waitFor } from '../support/kafka';

const ROOT = join(__dirname, '..', '..');
const RUN_DIR = process.env.CALLSENTRY_COTURN_RUN_DIR ?? join(ROOT, '.run', 'coturn');
const TURN_PORT = process.env.CALLSENTRY_COTURN_PORT ?? '3478';
const REALM = process.env.CALLSENTRY_COTURN_REALM ?? 'callsentry.test';
const USER = process.env.CALLSENTRY_COTURN_USER ?? 'lab';
const REDIS = {
  host: process.env.CALLSENTRY_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.CALLSENTRY_REDIS_PORT ?? 6379),
  db: Number(process.env.CALLSENTRY_COTURN_REDIS_DB ?? 5),
};
// a loopback address of its own, so the peer in the records cannot be mistaken for the client or the relay
const PEER_IP = '127.0.0.2';
const PEER_PORT = 20_000 + Math.floor(Math.random() * 10_000);

describe('relay source on a real coturn', () => {
  let source: RelaySource | undefined;
  let peer: ChildProcess | undefined;
  const records: MediaFlow[] = [];
  const rejects: RelayReject[] = [];

  beforeAll(async () => {
    const started = spawnSync('bash', [join(ROOT, 'infra/coturn/start.sh')], { encoding: 'utf8', timeout: 180_000 });
    if (started.status !== 0) {
      throw new Error(
        `infra/coturn/start.sh failed (exit ${started.status ?? started.signal}):\n${started.stderr}\n` +
          'Start coturn with `bash infra/coturn/start.sh` (needs Redis on 127.0.0.1:6379 and root for the first install).',
      );
    }
    source = await startRelaySource({
      redis: REDIS,
      realm: REALM,
      coturnLog: join(RUN_DIR, 'turnserver.log'),
      onRecord: (r) => void records.push(r),
      onReject: (r) => void rejects.push(r),
      log: silentLogger,
      clock: systemClock,
      tickMs: 200,
      flows: { settleMs: 500 },
    });
    peer = spawn('turnutils_peer', ['-L', PEER_IP, '-p', String(PEER_PORT)], { stdio: 'ignore' });
  });

  afterAll(async () => {
    await source?.stop();
    if (peer?.pid !== undefined && peer.exitCode === null) peer.kill('SIGTERM');
  });

  it('turns a relayed UDP session into media flow records with the user, realm, peer and traffic', async () => {
    const password = readFileSync(join(RUN_DIR, `${USER}.password`), 'utf8').trim();
    // ~2 s of 160-byte packets through the relay to the peer and back; -c: no RTCP allocation
    const client = spawnSync(
      'turnutils_uclient',
      ['-p', TURN_PORT, '-u', USER, '-w', password, '-e', PEER_IP, '-r', String(PEER_PORT), '-n', '400', '-z', '5', '-l', '160', '-m', '1', '-c', '127.0.0.1'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(client.status).toBe(0);

    const ours = (): MediaFlow[] => records.filter((r) => r.media.relay?.user === USER && r.media.relay.peers?.includes(PEER_IP));
    const total = (): number => ours().reduce((n, r) => n + r.media.packets, 0);
    // uclient sends 400 packets that come back from the peer: at least 800 pass the client side
    await waitFor(() => total() >= 800, 15_000);

    expect(ours().length).toBeGreaterThan(0);
    for (const r of ours()) {
      expect(validateMediaFlow(r) || validateMediaFlow.lastError()).toBe(true);
      expect(r.media.relay).toMatchObject({ user: USER, realm: REALM });
      expect(r.source.ip).toBe('127.0.0.1');
      expect(r.destination).toEqual({ ip: '127.0.0.1', port: Number(TURN_PORT) });
    }
    expect(total()).toBeGreaterThanOrEqual(800);
    expect(ours().reduce((n, r) => n + r.media.bytes, 0)).toBeGreaterThanOrEqual(800 * 160);
    expect(rejects).toEqual([]);
  });
});
