// The subscriber on the real Redis: only its realm's reports reach it, bad ones are counted with a
// reason. A random realm keeps this suite apart from a coturn publishing at the same time.
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { silentLogger } from '../../services/core/ports';
import type { BadInput, StatsEvent } from '../../services/adapters/coturn/relay-events';
import { subscribeRelayStats } from '../../services/adapters/coturn/relay-stats-subscriber';
import { waitFor } from '../support/kafka';

const REDIS = { host: process.env.CALLSENTRY_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.CALLSENTRY_REDIS_PORT ?? 6379) };

describe('subscribeRelayStats on the real Redis', () => {
  it('delivers parsed reports of its realm and counts bad ones by reason', async () => {
    const realm = `it-${randomBytes(4).toString('hex')}.test`;
    const events: StatsEvent[] = [];
    const bad: BadInput[] = [];
    const sub = await subscribeRelayStats({ redis: { ...REDIS, db: 5 }, realm, onEvent: (e) => events.push(e), onBad: (b) => bad.push(b), log: silentLogger }).catch(
      (err: Error) => {
        throw new Error(`${err.message}: start Redis on ${REDIS.host}:${REDIS.port} (the machine's redis-server)`);
      },
    );
    const pub = createClient({ socket: REDIS });
    await pub.connect();
    try {
      const ch = (suffix: string, r = realm): string => `turn/realm/${r}/user/alice/allocation/000000000000000042/${suffix}`;
      await pub.publish(ch('status'), 'new lifetime=600, type=UDP, local=127.0.0.1:3478, remote=192.0.2.7:5000, ssl=NONE, cipher=NONE');
      await pub.publish(ch('traffic'), 'rcvp=1, rcvb=2, sentp=3, sentb=oops');
      await pub.publish(ch('status', 'other.test'), 'deleted');
      await pub.publish(ch('total_traffic'), 'rcvp=1, rcvb=2, sentp=3, sentb=4');
      expect(await waitFor(() => events.length + bad.length >= 3, 5000, 20)).toBe(true);
      expect(events.map((e) => `${e.kind} ${e.user} ${e.allocationId}`)).toEqual(['status alice 000000000000000042', 'total_traffic alice 000000000000000042']);
      expect(bad.map((b) => b.reason)).toEqual(['bad-traffic']);
      expect(sub.stats).toEqual({ messages: 3, events: 2, bad: { 'bad-traffic': 1 } });
    } finally {
      await pub.close();
      await sub.stop();
    }
  });

  it('fails fast with the address when Redis does not answer', async () => {
    await expect(
      subscribeRelayStats({ redis: { host: '127.0.0.1', port: 1 }, onEvent: () => undefined, onBad: () => undefined, log: silentLogger, connectTimeoutMs: 1000 }),
    ).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});
