// The document index on Elasticsearch: templates at start, bulk writes, retention by deleting
// whole daily indices (the integ-test distribution has no ILM; production clusters may use ILM
// instead and set a long indexer.retention_days).
import type { Client } from '@elastic/elasticsearch';
import type { Clock } from '../../core/clock';
import type { IndexerSettings } from '../../core/config';
import { CallsentryError } from '../../core/errors';
import type { MetricsRegistry } from '../../core/metrics';
import type { DocumentIndex, IndexDocument, IndexReport, Logger } from '../../core/ports';
import { backoffDelay } from './backoff';
import { BulkWriter } from './bulk-writer';
import { clientBulkTransport, describeClientError, isClientError } from './es-client';
import { expiredIndices } from './index-names';
import { indexTemplates } from './templates';

export interface ElasticsearchIndexOptions {
  settings: IndexerSettings;
  client: Client;
  clock: Clock;
  metrics: MetricsRegistry;
  log: Logger;
}

export class ElasticsearchIndex implements DocumentIndex {
  private readonly writer: BulkWriter;
  private readonly expired;

  constructor(private readonly opts: ElasticsearchIndexOptions) {
    const s = opts.settings;
    this.writer = new BulkWriter({
      transport: clientBulkTransport(opts.client),
      indexPrefix: s.index_prefix,
      maxDocs: s.bulk.max_docs,
      maxBytes: s.bulk.max_bytes,
      retryForMs: s.bulk.retry_for_seconds * 1000,
      clock: opts.clock,
      metrics: opts.metrics,
      log: opts.log,
    });
    this.expired = opts.metrics.counter('callsentry_index_expired_indices_total', 'Daily indices deleted by retention');
  }

  async init(): Promise<void> {
    const s = this.opts.settings;
    await this.retrying('install index templates', async () => {
      for (const t of indexTemplates(s.index_prefix, s.shards, s.replicas)) await this.opts.client.indices.putIndexTemplate(t);
    });
    this.opts.log.info({ prefix: s.index_prefix, kinds: indexTemplates(s.index_prefix, 1, 0).map((t) => t.name) }, 'index templates installed');
  }

  write(docs: IndexDocument[]): Promise<IndexReport> {
    return this.writer.write(docs);
  }

  async expire(nowMs: number): Promise<string[]> {
    const s = this.opts.settings;
    const res = await this.opts.client.indices.getSettings({
      index: `${s.index_prefix}callsentry-*`,
      name: 'index.creation_date',
      expand_wildcards: ['open', 'closed'],
      allow_no_indices: true,
      ignore_unavailable: true,
    });
    const indices = Object.entries(res).map(([name, v]) => ({
      name,
      createdMs: Number((v.settings as { index?: { creation_date?: string } } | undefined)?.index?.creation_date ?? nowMs),
    }));
    const names = expiredIndices(s.index_prefix, indices, nowMs, s.retention_days);
    // explicit names: clusters refuse wildcard deletes (action.destructive_requires_name)
    for (let i = 0; i < names.length; i += 50) await this.opts.client.indices.delete({ index: names.slice(i, i + 50) });
    if (names.length) {
      this.expired.inc({}, names.length);
      this.opts.log.info({ indices: names, retention_days: s.retention_days }, 'expired indices deleted');
    }
    return names;
  }

  async close(): Promise<void> {
    await this.opts.client.close();
  }

  /** Retries a cluster call that may meet a cluster still starting, within the retry window. */
  private async retrying(what: string, fn: () => Promise<void>): Promise<void> {
    const deadline = this.opts.clock.now() + this.opts.settings.bulk.retry_for_seconds * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isClientError(err)) throw err;
        const delay = backoffDelay(attempt);
        if (this.opts.clock.now() + delay > deadline) {
          throw new CallsentryError(
            'INDEX_UNAVAILABLE',
            `elasticsearch at ${this.opts.settings.elasticsearch.nodes.join(', ')}: cannot ${what}: ${describeClientError(err)} ` +
              '(is it running? for tests: npm run es:start)',
            { retriable: true, cause: err },
          );
        }
        this.opts.log.warn({ attempt: attempt + 1, delay_ms: delay, reason: describeClientError(err) }, `cannot ${what} yet; retrying`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
