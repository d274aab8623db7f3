// Wires the index stage to Elasticsearch: the client, templates at start, the stage on the bus,
// and retention on a timer (at start, then hourly).
import type { IndexerSettings } from '../core/config';
import type { Subscription } from '../core/ports';
import { runStage } from '../core/stage';
import { createClient } from '../adapters/elasticsearch/es-client';
import { ElasticsearchIndex } from '../adapters/elasticsearch/elasticsearch-index';
import type { Runtime } from '../runtime/runtime';
import { indexStage } from './index-stage';

const RETENTION_EVERY_MS = 3_600_000;

export interface IndexerOptions {
  /** default: the runtime configuration's `indexer` section */
  settings?: IndexerSettings;
  groupId?: string;
  env?: NodeJS.ProcessEnv;
}

export async function startIndexer(rt: Runtime, opts: IndexerOptions = {}): Promise<Subscription> {
  const settings = opts.settings ?? rt.cfg.indexer;
  const log = rt.log.child({ stage: 'index', adapter: 'elasticsearch' });
  const index = new ElasticsearchIndex({ settings, client: createClient(settings.elasticsearch, opts.env), clock: rt.clock, metrics: rt.metrics, log });
  try {
    await index.init();
  } catch (err) {
    await index.close();
    throw err;
  }

  const expire = () =>
    index.expire(rt.clock.now()).catch((err) => {
      // retention is housekeeping: the next round tries again, indexing goes on
      log.warn({ err }, 'retention round failed');
      return [];
    });
  await expire();
  const timer = setInterval(() => void expire(), RETENTION_EVERY_MS);
  timer.unref();

  const sub = await runStage(rt.bus, indexStage({ topics: rt.topics, index, ...(opts.groupId ? { groupId: opts.groupId } : {}) }), rt);
  return {
    stop: async () => {
      clearInterval(timer);
      await sub.stop();
      await index.close();
    },
  };
}
