// The coturn actuator against the real relay: infra/coturn/start.sh (idempotent) brings up coturn with
// its Redis user database; turnutils_uclient relays through it to turnutils_peer. A denied peer must be
// refused by coturn itself (403 Forbidden IP) and reachable again once Redis expires the entry, with no
// call to remove(). A suspended account must fail authentication and lose its live sessions.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { CoturnActuator } from '../../services/adapters/coturn-actuator/coturn-actuator';
import { cancelUserSessions, type CoturnCliOptions } from '../../services/adapters/coturn-actuator/coturn-cli';
import { systemClock } from '../../services/core/clock';
import { silentLogger } from '../../services/core/ports';
import type { Decision, Key } from '../../services/core/records';

const ROOT = join(__dirname, '..', '..');
const RUN_DIR = process.env.CALLSENTRY_COTURN_RUN_DIR ?? join(ROOT, '.run', 'coturn');
const TURN_PORT = process.env.CALLSENTRY_COTURN_PORT ?? '3478';
const REALM = process.env.CALLSENTRY_COTURN_REALM ?? 'callsentry.test';
const REDIS = {
  host: process.env.CALLSENTRY_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.CALLSENTRY_REDIS_PORT ?? 6379),
  db: Number(process.env.CALLSENTRY_COTURN_REDIS_DB ?? 5),
};
// a loopback peer address of this run alone: the relay suite runs in parallel and uses 127.0.0.2
const PEER_IP = `127.0.${100 + Math.floor(Math.random() * 100)}.${2 + Math.floor(Math.random() * 250)}`;
const PEER_PORT = 20_000 + Math.floor(Math.random() * 10_000);
// a user of this run alone: suspending it, or cancelling its sessions, never disturbs other suites
const USER = `cs-suspend-${randomBytes(4).toString('hex')}`;
const PASSWORD = randomBytes(12).toString('hex');
// coturn re-reads denied peers every 5 s (run_auth_server_thread); allow two rounds and a margin
const COTURN_REREAD_MS = 12_000;
// coturn holds a range from its first read after apply (<= 5 s) to its first read after expiry, so an
// entry shorter than the period may never be seen; 12 s leaves a denied window of >= 7 s, longer than
// one client run on a loaded machine (~6 s)
const DENY_TTL_S = 12;

interface RelayRun {
  status: number | null;
  output: string;
}

function relay(user: string, password: string): RelayRun {
  // 20 packets, no RTCP allocation (-c): a second or so when the relay lets them through
  const r = spawnSync(
    'turnutils_uclient',
    ['-p', TURN_PORT, '-u', user, '-w', password, '-e', PEER_IP, '-r', String(PEER_PORT), '-n', '20', '-m', '1', '-c', '127.0.0.1'],
    { encoding: 'utf8', timeout: 20_000 },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const relayed = (r: RelayRun): boolean => r.status === 0 && !/error \d{3}/.test(r.output);
const forbidden = (r: RelayRun): boolean => r.status !== 0 && r.output.includes('403 (Forbidden IP)');

/**
 * Runs the client until `want` holds, at most `withinMs`; returns every run for the failure message.
 * A client refused at CreatePermission leaves its allocation (and a relay port) behind until its
 * lifetime ends, so `tidy` cancels the test user's sessions after each run: the lab's port range is
 * shared with the other suites.
 */
async function relayUntil(want: (r: RelayRun) => boolean, withinMs: number, tidy: () => Promise<unknown>): Promise<RelayRun[]> {
  const runs: RelayRun[] = [];
  const deadline = Date.now() + withinMs;
  do {
    const r = relay(USER, PASSWORD);
    runs.push(r);
    await tidy();
    if (want(r)) return runs;
    await new Promise((resolve) => setTimeout(resolve, 500));
  } while (Date.now() < deadline);
  return runs;
}

function decision(id: string, action: Decision['action'], target: Key, ttl: number): Decision {
  return {
    '@timestamp': new Date().toISOString(),
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action,
    target,
    scope: 'relay',
    ttl_seconds: ttl,
    reason: 'coturn actuator test',
    finding_ids: [],
    origin: { type: 'operator', id: 'test' },
    mode: 'enforce',
  };
}

describe('coturn actuator on a real coturn', () => {
  const redis = createClient({ socket: { host: REDIS.host, port: REDIS.port }, database: REDIS.db });
  let cli: CoturnCliOptions;
  let actuator: CoturnActuator;
  let peer: ChildProcess | undefined;
  const tidy = (): Promise<string[]> => cancelUserSessions(cli, USER);

  beforeAll(async () => {
    const started = spawnSync('bash', [join(ROOT, 'infra/coturn/start.sh')], { encoding: 'utf8', timeout: 180_000 });
    if (started.status !== 0) {
      throw new Error(
        `infra/coturn/start.sh failed (exit ${started.status ?? started.signal}):\n${started.stderr}\n` +
          'Start coturn with `bash infra/coturn/start.sh` (needs Redis on 127.0.0.1:6379 and root for the first install).',
      );
    }
    cli = {
      host: '127.0.0.1',
      port: Number(process.env.CALLSENTRY_COTURN_CLI_PORT ?? 5766),
      password: readFileSync(join(RUN_DIR, 'cli.password'), 'utf8').trim(),
    };
    actuator = new CoturnActuator({ redis: REDIS, realm: REALM, cli, log: silentLogger, clock: systemClock, restoreEveryMs: 0 });
    await actuator.init();
    await redis.connect();
    // a long-term credential as turnadmin stores it: MD5(user:realm:password)
    await redis.set(`turn/realm/${REALM}/user/${USER}/key`, createHash('md5').update(`${USER}:${REALM}:${PASSWORD}`).digest('hex'));
    peer = spawn('turnutils_peer', ['-L', PEER_IP, '-p', String(PEER_PORT)], { stdio: 'ignore' });
  }, 200_000);

  afterAll(async () => {
    if (peer?.pid !== undefined && peer.exitCode === null) peer.kill('SIGTERM');
    if (cli) await tidy().catch(() => undefined);
    await actuator?.remove([decision('cleanup-peer', 'deny-peer', { type: 'ip', value: PEER_IP }, 1), decision('cleanup-user', 'suspend-account', { type: 'account', value: USER }, 1)]);
    await actuator?.shutdown();
    if (redis.isOpen) {
      await redis.del([`turn/realm/${REALM}/user/${USER}/key`, `callsentry/coturn/suspended/${REALM}/${USER}`]);
      await redis.close();
    }
  });

  it('has coturn refuse a denied peer, and relay to it again after the Redis expiry alone', async () => {
    // the peer was spawned a moment ago: give it a few tries to listen
    const before = await relayUntil(relayed, 5000, tidy);
    expect(relayed(before[before.length - 1])).toBe(true);

    const [result] = await actuator.apply([decision('deny-1', 'deny-peer', { type: 'ip', value: PEER_IP }, DENY_TTL_S)]);
    expect(result).toMatchObject({ decisionId: 'deny-1', ok: true });
    const live = await actuator.list();
    const entry = live.find((e) => e.target.type === 'ip' && e.target.value === PEER_IP);
    expect(entry?.expiresAt).toBeGreaterThan(Date.now());
    expect(entry?.expiresAt).toBeLessThanOrEqual(Date.now() + DENY_TTL_S * 1000);

    // coturn answers the permission for that peer with 403 once it has re-read its lists
    const denied = await relayUntil(forbidden, COTURN_REREAD_MS, tidy);
    expect(denied.map((r) => r.output.slice(-300))).toContainEqual(expect.stringContaining('403 (Forbidden IP)'));
    expect(forbidden(denied[denied.length - 1])).toBe(true);
    expect(readFileSync(join(RUN_DIR, 'turnserver.log'), 'utf8')).toContain(`A peer IP ${PEER_IP} denied in the range: ${PEER_IP}`);

    // no remove(): Redis drops the key at the TTL and coturn forgets the range on its next read
    const allowed = await relayUntil(relayed, DENY_TTL_S * 1000 + COTURN_REREAD_MS, tidy);
    expect(relayed(allowed[allowed.length - 1])).toBe(true);
    expect((await actuator.list()).some((e) => e.target.value === PEER_IP)).toBe(false);
  }, 90_000);

  it('suspends an account: authentication fails, live sessions are cancelled, remove() restores it', async () => {
    // a session that outlives the suspension: 2000 packets at 20 ms
    const long = spawn(
      'turnutils_uclient',
      ['-p', TURN_PORT, '-u', USER, '-w', PASSWORD, '-e', PEER_IP, '-r', String(PEER_PORT), '-n', '2000', '-z', '20', '-m', '1', '-c', '127.0.0.1'],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const [result] = await actuator.apply([decision('suspend-1', 'suspend-account', { type: 'account', value: USER }, 60)]);
      expect(result).toMatchObject({ ok: true, detail: expect.stringMatching(/cancelled [1-9]\d* session/) });
      // coturn lists no session of that user any more, and logs why they ended
      expect(await cancelUserSessions(cli, USER)).toEqual([]);
      const log = (): string => readFileSync(join(RUN_DIR, 'turnserver.log'), 'utf8');
      expect(log()).toMatch(new RegExp(`closed \\(2nd stage\\), user <${USER}> .*reason: Forceful shutdown`));
      // a new allocation is refused: coturn finds no key for the user and answers 401
      const refused = relay(USER, PASSWORD);
      expect(refused.status).not.toBe(0);
      expect(refused.output).toContain('Cannot complete Allocation');
      expect(log()).toContain(`Cannot find credentials of user <${USER}>`);
      expect(await actuator.list()).toContainEqual({ target: { type: 'account', value: USER }, action: 'suspend-account', expiresAt: expect.any(Number) });

      const [undone] = await actuator.remove([decision('suspend-1', 'suspend-account', { type: 'account', value: USER }, 60)]);
      expect(undone).toMatchObject({ ok: true, detail: 'credentials restored' });
      expect(relayed(relay(USER, PASSWORD))).toBe(true);
      await tidy();
    } finally {
      if (long.exitCode === null) long.kill('SIGTERM');
    }
  }, 60_000);

  it('restores a suspension that ended on its own, as a restarted enforcer does', async () => {
    const [result] = await actuator.apply([decision('suspend-2', 'suspend-account', { type: 'account', value: USER }, 1)]);
    expect(result.ok).toBe(true);
    expect(relayed(relay(USER, PASSWORD))).toBe(false);

    // another instance (a restart after a crash) with a fast timer; nobody calls remove()
    const restarted = new CoturnActuator({ redis: REDIS, realm: REALM, log: silentLogger, clock: systemClock, restoreEveryMs: 200 });
    await restarted.init();
    try {
      const runs = await relayUntil(relayed, 5000, tidy);
      expect(relayed(runs[runs.length - 1])).toBe(true);
      expect((await restarted.list()).some((e) => e.target.type === 'account' && e.target.value === USER)).toBe(false);
    } finally {
      await restarted.shutdown();
    }
  }, 30_000);

  it('refuses targets and actions it cannot express', async () => {
    const results = await actuator.apply([
      decision('bad-1', 'deny-peer', { type: 'ip', value: '127.0.0.2\r\nFLUSHDB' }, 60),
      decision('bad-2', 'deny-peer', { type: 'cidr', value: '10.0.0.0/8' }, 0),
      decision('bad-3', 'suspend-account', { type: 'account', value: 'lab/../x' }, 60),
      decision('bad-4', 'block', { type: 'ip', value: '192.0.2.1' }, 60),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false]);
  });
});
