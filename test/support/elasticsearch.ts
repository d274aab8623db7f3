// Integration suites run against the real Elasticsearch started by infra/elasticsearch/start.sh.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { DEFAULT_CONFIG, type IndexerSettings } from '../../services/core/config';
import type { IndexKind } from '../../services/core/ports';

export const ES_URL = process.env.CALLSENTRY_ES_URL ?? 'http://127.0.0.1:9200';
const REPO = path.resolve(__dirname, '../..');

export function esClient(): Client {
  return new Client({ node: ES_URL, requestTimeout: 30_000, maxRetries: 0 });
}

/** Fails with instructions when no Elasticsearch answers. */
export async function requireElasticsearch(): Promise<void> {
  const es = esClient();
  try {
    await es.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
  } catch (err) {
    throw new Error(
      `No Elasticsearch answers at ${ES_URL} (${(err as Error).message}).\n` +
        "Start the project's node with `npm run es:start` (or run everything with `npm run test:all`), " +
        'or point CALLSENTRY_ES_URL at a running Elasticsearch 8.x.',
    );
  } finally {
    await es.close();
  }
}

/** Indexer settings on the test node with their own random index prefix, so suites never share indices. */
export function indexerSettings(): IndexerSettings {
  const s = structuredClone(DEFAULT_CONFIG.indexer);
  s.elasticsearch.nodes = [ES_URL];
  s.index_prefix = `it-${randomBytes(4).toString('hex')}.`;
  // one node: replicas could never be assigned
  s.replicas = 0;
  return s;
}

/** Documents of a kind under a prefix, after a refresh (so every acknowledged write counts). */
export async function countDocs(es: Client, prefix: string, kind: IndexKind): Promise<number> {
  const index = `${prefix}callsentry-${kind}-*`;
  await es.indices.refresh({ index, allow_no_indices: true, ignore_unavailable: true });
  return (await es.count({ index, allow_no_indices: true, ignore_unavailable: true })).count;
}

/** Deletes the indices and index templates under a prefix (tests clean up after themselves). */
export async function deleteIndices(prefix: string): Promise<void> {
  const es = esClient();
  try {
    const indices = Object.keys(await es.indices.get({ index: `${prefix}callsentry-*`, allow_no_indices: true, ignore_unavailable: true, expand_wildcards: ['open', 'closed'] }));
    // explicit names: wildcard deletes are refused by default
    for (let i = 0; i < indices.length; i += 50) await es.indices.delete({ index: indices.slice(i, i + 50) });
    const templates = (await es.indices.getIndexTemplate({ name: `${prefix}callsentry-*` }).catch(() => ({ index_templates: [] }))).index_templates;
    for (const t of templates) await es.indices.deleteIndexTemplate({ name: t.name });
  } finally {
    await es.close();
  }
}

/** Runs infra/elasticsearch/start.sh or stop.sh (the outage test stops and starts the node). */
export async function esScript(which: 'start' | 'stop'): Promise<string> {
  const { stderr } = await promisify(execFile)('bash', [path.join(REPO, 'infra/elasticsearch', `${which}.sh`)], { cwd: REPO, timeout: 240_000 });
  return stderr;
}

export async function esAnswers(): Promise<boolean> {
  const es = esClient();
  try {
    await es.cluster.health({ timeout: '2s' });
    return true;
  } catch {
    return false;
  } finally {
    await es.close();
  }
}
