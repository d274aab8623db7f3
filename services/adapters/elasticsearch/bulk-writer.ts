// Writes documents with bulk requests sized by count and bytes. Whole-request failures (no
// connection, timeouts, 429, 5xx) and documents refused for a while (429, 5xx) are retried with
// backoff; documents refused for good (400: mapping errors, invalid values) go back to the caller
// with Elasticsearch's reason, to be dead-lettered. A 409 on `create` means the document is already
// there (a re-delivery or a replay) and counts as done.
import type { Clock } from '../../core/clock';
import { CallsentryError } from '../../core/errors';
import type { MetricsRegistry } from '../../core/metrics';
import type { IndexDocument, IndexReport, Logger } from '../../core/ports';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { bulkBody, bulkItems, chunk, type BulkItem } from './bulk-body';

export interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string | null; caused_by?: { type?: string; reason?: string | null } };
}

/** One `POST _bulk`: item results in request order. */
export interface BulkTransport {
  bulk(body: string): Promise<BulkItemResult[]>;
}

/** The request as a whole failed; thrown by a BulkTransport, always worth a retry. */
export class BulkRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BulkRequestError';
  }
}

export interface BulkWriterOptions {
  transport: BulkTransport;
  indexPrefix: string;
  maxDocs: number;
  maxBytes: number;
  /** how long one chunk is retried before the write fails as INDEX_UNAVAILABLE */
  retryForMs: number;
  clock: Clock;
  metrics: MetricsRegistry;
  log: Logger;
  backoff?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class BulkWriter {
  private readonly docs;
  private readonly requests;
  private readonly retries;
  private readonly latency;

  constructor(private readonly opts: BulkWriterOptions) {
    const m = opts.metrics;
    this.docs = m.counter('callsentry_index_documents_total', 'Documents written to Elasticsearch, by kind and result (indexed, duplicate, rejected)');
    this.requests = m.counter('callsentry_index_bulk_requests_total', 'Bulk requests, by outcome (ok, failed)');
    this.retries = m.counter('callsentry_index_bulk_retries_total', 'Bulk retries, by cause (request: the request failed; documents: some documents were refused for a while)');
    // a summary without quantiles: rate(sum) / rate(count) is the mean bulk latency
    this.latency = m.histogram('callsentry_index_bulk_seconds', 'Time of acknowledged bulk requests');
  }

  async write(docs: IndexDocument[]): Promise<IndexReport> {
    const report: IndexReport = { indexed: 0, duplicates: 0, rejected: [] };
    for (const items of chunk(bulkItems(this.opts.indexPrefix, docs), this.opts.maxDocs, this.opts.maxBytes)) await this.send(items, report);
    return report;
  }

  private async send(items: BulkItem[], report: IndexReport): Promise<void> {
    const { clock, transport } = this.opts;
    const deadline = clock.now() + this.opts.retryForMs;
    let pending = items;
    for (let attempt = 0; ; attempt++) {
      let why: string;
      let cause: 'request' | 'documents';
      try {
        const started = process.hrtime.bigint();
        const results = await transport.bulk(bulkBody(pending));
        this.latency.observe({}, Number(process.hrtime.bigint() - started) / 1e9);
        this.requests.inc({ outcome: 'ok' });
        if (results.length !== pending.length) throw new Error(`bulk answered ${results.length} items for ${pending.length} documents`);
        pending = this.settle(pending, results, report);
        if (pending.length === 0) return;
        why = `${pending.length} documents refused for now (429/5xx)`;
        cause = 'documents';
      } catch (err) {
        if (!(err instanceof BulkRequestError)) throw err;
        this.requests.inc({ outcome: 'failed' });
        why = err.message;
        cause = 'request';
      }
      const delay = backoffDelay(attempt, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random);
      if (clock.now() + delay > deadline) {
        throw new CallsentryError('INDEX_UNAVAILABLE', `elasticsearch: ${pending.length} documents not acknowledged after retrying for ${Math.round(this.opts.retryForMs / 1000)}s: ${why}`, {
          retriable: true,
          context: { pending: pending.length },
        });
      }
      this.retries.inc({ cause });
      this.opts.log.warn({ attempt: attempt + 1, delay_ms: delay, pending: pending.length, reason: why }, 'bulk request will be retried');
      await (this.opts.sleep ?? sleep)(delay);
    }
  }

  /** Counts what is done, collects what is refused for good, returns what to retry. */
  private settle(items: BulkItem[], results: BulkItemResult[], report: IndexReport): BulkItem[] {
    const retry: BulkItem[] = [];
    results.forEach((r, i) => {
      const item = items[i];
      const kind = item.doc.kind;
      if (r.status >= 200 && r.status < 300) {
        report.indexed++;
        this.docs.inc({ kind, result: 'indexed' });
      } else if (r.status === 409) {
        report.duplicates++;
        this.docs.inc({ kind, result: 'duplicate' });
      } else if (r.status === 429 || r.status >= 500) {
        retry.push(item);
      } else {
        report.rejected.push({ position: item.position, reason: describe(r) });
        this.docs.inc({ kind, result: 'rejected' });
      }
    });
    return retry;
  }
}

function describe(r: BulkItemResult): string {
  const e = r.error;
  if (!e) return `status ${r.status}`;
  const cause = e.caused_by ? ` (${e.caused_by.type}: ${e.caused_by.reason ?? ''})` : '';
  return `${e.type ?? 'error'}: ${e.reason ?? ''}${cause}`.slice(0, 500);
}
