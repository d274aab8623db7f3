// The relay source: coturn's statistics channels (and, optionally, its log for peer addresses) in,
// media flow records out. This file only wires the coturn adapter to the pure RelayFlows builder;
// the caller (the collector command) hands records to Ingest, which validates and produces them.
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/ports';
import type { MediaFlow } from '../../core/records';
import { followLog, type LogFollower } from '../../adapters/coturn/log-follower';
import { parsePeerLogLine } from '../../adapters/coturn/log-peer-line';
import type { BadInput, RelayEvent } from '../../adapters/coturn/relay-events';
import { subscribeRelayStats, type RedisEndpoint } from '../../adapters/coturn/relay-stats-subscriber';
import { RelayFlows, type RelayFlowOptions, type RelayOutput } from './relay-flows';

export interface RelaySourceOptions {
  redis: RedisEndpoint;
  /** only this realm's allocations; every realm when absent */
  realm?: string;
  /**
   * coturn's log file, written with `verbose`: the only place coturn names an allocation's peers.
   * Without it records carry no media.relay.peers.
   */
  coturnLog?: string;
  onRecord: (record: MediaFlow) => void | Promise<void>;
  onReject: (reject: RelayReject) => void;
  log: Logger;
  clock: Clock;
  /** how often settled and expired allocations are turned into records */
  tickMs?: number;
  flows?: RelayFlowOptions;
}

export type RelayReject =
  | ({ source: 'coturn-stats' } & BadInput)
  | { source: 'relay-flows'; reason: 'no-client-address'; detail: string; raw: string };

export interface RelaySourceStats {
  messages: number;
  events: number;
  peerLines: number;
  records: number;
  rejected: Record<string, number>;
  liveAllocations: number;
  evicted: number;
  timedOut: number;
}

export interface RelaySource {
  readonly stats: RelaySourceStats;
  /** unsubscribes, turns pending counts into records, and waits until onRecord has them all */
  stop(): Promise<void>;
}

export async function startRelaySource(opts: RelaySourceOptions): Promise<RelaySource> {
  const log = opts.log.child({ component: 'relay-source' });
  const flows = new RelayFlows(opts.flows);
  const stats: RelaySourceStats = { messages: 0, events: 0, peerLines: 0, records: 0, rejected: {}, liveAllocations: 0, evicted: 0, timedOut: 0 };
  // one ordered lane: records reach onRecord in the order they were made, and a slow consumer
  // (Kafka back-pressure) delays the next batch instead of interleaving it
  let lane: Promise<void> = Promise.resolve();
  const enqueue = (step: () => void | Promise<void>): void => {
    lane = lane.then(step).catch((err: unknown) => log.error({ err }, 'relay record handler failed'));
  };

  const reject = (r: RelayReject): void => {
    stats.rejected[r.reason] = (stats.rejected[r.reason] ?? 0) + 1;
    opts.onReject(r);
  };

  const deliver = async (outputs: RelayOutput[]): Promise<void> => {
    Object.assign(stats, { liveAllocations: flows.stats.live, evicted: flows.stats.evicted, timedOut: flows.stats.timedOut });
    for (const o of outputs) {
      if (o.kind === 'unusable') {
        reject({ source: 'relay-flows', reason: o.reason, detail: `allocation ${o.allocationId}: ${o.packets} packets`, raw: o.allocationId });
        continue;
      }
      stats.records++;
      await opts.onRecord(o.record);
    }
  };
  const apply = (event: RelayEvent): void => {
    const now = opts.clock.now(); // the time it reached us, not the time its turn in the lane came
    enqueue(() => deliver(flows.apply(event, now)));
  };

  let follower: LogFollower | undefined;
  if (opts.coturnLog) {
    follower = await followLog({
      path: opts.coturnLog,
      log,
      onLine: (line) => {
        const peer = parsePeerLogLine(line);
        if (!peer) return;
        stats.peerLines++;
        // straight into the builder: peers must be known before the report that closes the allocation
        flows.apply(peer, opts.clock.now());
      },
    });
  }

  const subscriber = await subscribeRelayStats({
    redis: opts.redis,
    ...(opts.realm === undefined ? {} : { realm: opts.realm }),
    log,
    onBad: (bad) => {
      stats.messages++;
      reject({ source: 'coturn-stats', ...bad });
    },
    onEvent: (event) => {
      stats.messages++;
      stats.events++;
      // the log may lag the channel by one poll: read it before an allocation can close
      if (follower && event.kind === 'status' && event.status === 'deleted') {
        const f = follower;
        enqueue(() => f.poll());
      }
      apply(event);
    },
  }).catch(async (err: unknown) => {
    await follower?.stop();
    throw err;
  });

  const timer = setInterval(() => enqueue(() => deliver(flows.tick(opts.clock.now()))), opts.tickMs ?? 1000);
  timer.unref();
  log.info({ pattern: subscriber.pattern, coturnLog: opts.coturnLog ?? null }, 'relay source started');

  return {
    stats,
    stop: async () => {
      clearInterval(timer);
      await subscriber.stop();
      await follower?.stop();
      enqueue(() => deliver(flows.flush(opts.clock.now())));
      await lane;
      log.info({ records: stats.records, rejected: stats.rejected }, 'relay source stopped');
    },
  };
}
