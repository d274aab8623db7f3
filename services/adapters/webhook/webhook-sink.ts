// Alerts to any HTTPS endpoint as JSON, signed so the receiver can tell they are ours and fresh:
// X-Callsentry-Signature = "sha256=" + HMAC-SHA256(secret, timestamp + "." + body), with the
// timestamp in X-Callsentry-Timestamp (a receiver refuses old ones: no replay). Retried with backoff.
import { createHmac } from 'node:crypto';
import { CallsentryError } from '../../core/errors';
import { HttpStatusError, retriableHttp, withRetry, type RetryOptions } from '../../core/retry';
import type { Alert } from '../../alerting/alert';
import type { AlertSink } from '../../alerting/sink';

export function signature(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export class WebhookSink implements AlertSink {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
    private readonly retry: RetryOptions = { attempts: 5, baseMs: 500, maxMs: 10_000, retriable: retriableHttp },
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      await withRetry(async () => {
        const body = JSON.stringify({ source: 'callsentry', alerts });
        const timestamp = String(Math.floor(this.now() / 1000));
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-callsentry-timestamp': timestamp, 'x-callsentry-signature': signature(this.secret, timestamp, body) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new HttpStatusError(res.status, `webhook answered ${res.status}`);
      }, { retriable: retriableHttp, ...this.retry });
    } catch (err) {
      // the URL may carry a token in its query: name the host only
      throw new CallsentryError('SINK_FAILED', `webhook ${this.name} (${new URL(this.url).host}): ${(err as Error).message}`, { retriable: retriableHttp(err), cause: err });
    }
  }
}
