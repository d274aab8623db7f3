// The official client (@elastic/elasticsearch 8.x, the server's major) from configuration.
// Credentials come from the environment variables the configuration names, never from the file.
// The client's own retries are off: the bulk writer retries with backoff and knows what to resend.
import { readFileSync } from 'node:fs';
import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import type { IndexerSettings } from '../../core/config';
import { CallsentryError } from '../../core/errors';
import { BulkRequestError, type BulkItemResult, type BulkTransport } from './bulk-writer';

export function createClient(s: IndexerSettings['elasticsearch'], env: NodeJS.ProcessEnv = process.env): Client {
  const opts: ClientOptions = { nodes: s.nodes, requestTimeout: s.request_timeout_ms, maxRetries: 0, compression: false };
  if (s.api_key_env) opts.auth = { apiKey: secret(s.api_key_env, env) };
  else if (s.username) {
    if (!s.password_env) throw new CallsentryError('BAD_CONFIG', 'indexer.elasticsearch.username needs password_env (the environment variable holding the password)');
    opts.auth = { username: s.username, password: secret(s.password_env, env) };
  }
  if (s.ca_file) opts.tls = { ca: readFileSync(s.ca_file, 'utf8') };
  return new Client(opts);
}

function secret(name: string, env: NodeJS.ProcessEnv): string {
  const v = env[name];
  if (!v) throw new CallsentryError('BAD_CONFIG', `environment variable ${name} (named in indexer.elasticsearch) is not set`);
  return v;
}

/** A one-line description of a client error, without request bodies or credentials. */
export function describeClientError(err: unknown): string {
  if (err instanceof errors.ResponseError) {
    const body = err.body as { error?: { type?: string; reason?: string } } | undefined;
    return `HTTP ${err.statusCode}${body?.error?.type ? `: ${body.error.type}: ${body.error.reason ?? ''}` : ''}`;
  }
  if (err instanceof errors.ElasticsearchClientError) return `${err.name}: ${err.message}`;
  return String((err as Error)?.message ?? err);
}

export function isClientError(err: unknown): boolean {
  return err instanceof errors.ElasticsearchClientError;
}

export function clientBulkTransport(client: Client): BulkTransport {
  return {
    async bulk(body: string): Promise<BulkItemResult[]> {
      try {
        // the body is already NDJSON: the transport sends a string as it is
        const res = await client.bulk({ operations: body as unknown as [] });
        return res.items.map((item) => {
          const r = item.create ?? item.index ?? item.update ?? item.delete;
          return { status: r?.status ?? 0, ...(r?.error ? { error: r.error } : {}) };
        });
      } catch (err) {
        if (isClientError(err)) throw new BulkRequestError(describeClientError(err), err instanceof errors.ResponseError ? err.statusCode : undefined);
        throw err;
      }
    },
  };
}
