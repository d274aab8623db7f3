// Subscribes to coturn's statistics channels on Redis (redis-statsdb) and hands each parsed report
// to the caller. Bad messages are counted by reason and reported, never thrown. Redis pub/sub is not
// scoped to a database, so the pattern (and an optional realm) is what selects coturn's reports.
import { createClient } from '@redis/client';
import type { Logger } from '../../core/ports';
import type { BadInput, BadInputReason, StatsEvent } from './relay-events';
import { parseStatsMessage } from './stats-message';
import { statsPattern } from './stats-channel';

export interface RedisEndpoint {
  host: string;
  port: number;
  /** database of coturn's redis-statsdb; pub/sub ignores it, later key reads use it */
  db?: number;
}

export interface RelayStatsSubscriberOptions {
  redis: RedisEndpoint;
  /** only this realm's allocations; all realms when absent */
  realm?: string;
  onEvent: (event: StatsEvent) => void;
  onBad: (bad: BadInput) => void;
  log: Logger;
  connectTimeoutMs?: number;
}

export interface RelayStatsCounters {
  messages: number;
  events: number;
  bad: Partial<Record<BadInputReason, number>>;
}

export interface RelayStatsSubscriber {
  readonly stats: RelayStatsCounters;
  readonly pattern: string;
  stop(): Promise<void>;
}

export async function subscribeRelayStats(opts: RelayStatsSubscriberOptions): Promise<RelayStatsSubscriber> {
  const log = opts.log.child({ component: 'coturn-stats' });
  const stats: RelayStatsCounters = { messages: 0, events: 0, bad: {} };
  const pattern = statsPattern(opts.realm);
  const client = createClient({
    socket: {
      host: opts.redis.host,
      port: opts.redis.port,
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      // keep retrying with a capped backoff: coturn keeps publishing while we are away, and the
      // client re-subscribes on reconnect
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000),
    },
    database: opts.redis.db ?? 0,
  });
  let connected = false;
  // without a listener an 'error' event would crash the process
  client.on('error', (err: unknown) => {
    if (connected) log.warn({ err }, 'redis connection error; reconnecting');
  });

  const onMessage = (message: string, channel: string): void => {
    stats.messages++;
    const parsed = parseStatsMessage(channel, message);
    if (!parsed.ok) {
      stats.bad[parsed.bad.reason] = (stats.bad[parsed.bad.reason] ?? 0) + 1;
      opts.onBad(parsed.bad);
      return;
    }
    stats.events++;
    try {
      opts.onEvent(parsed.value);
    } catch (err) {
      // a consumer bug must not silence the subscription
      log.error({ err, channel }, 'relay stats handler failed');
    }
  };

  try {
    await connectOnce(() => client.connect(), opts);
    connected = true;
    await client.pSubscribe(pattern, onMessage);
  } catch (err) {
    client.destroy();
    throw err;
  }
  log.info({ host: opts.redis.host, port: opts.redis.port, pattern }, 'subscribed to coturn statistics');

  return {
    stats,
    pattern,
    stop: async () => {
      if (!client.isOpen) return;
      await client.pUnsubscribe(pattern).catch(() => undefined);
      await client.close().catch(() => client.destroy());
    },
  };
}

/** The first connection fails fast with a clear message instead of retrying forever. */
async function connectOnce(connect: () => Promise<unknown>, opts: RelayStatsSubscriberOptions): Promise<void> {
  const limit = opts.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis at ${opts.redis.host}:${opts.redis.port} did not answer within ${limit} ms`)), limit);
  });
  try {
    await Promise.race([connect(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
