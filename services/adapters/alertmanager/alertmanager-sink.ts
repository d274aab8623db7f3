// Alerts to Prometheus Alertmanager through its v2 API (POST /api/v2/alerts). Alertmanager groups,
// deduplicates, routes and resolves them at their endsAt.
import { CallsentryError } from '../../core/errors';
import { HttpStatusError, retriableHttp, withRetry, type RetryOptions } from '../../core/retry';
import type { Alert } from '../../alerting/alert';
import type { AlertSink } from '../../alerting/sink';

export class AlertmanagerSink implements AlertSink {
  readonly name = 'alertmanager';
  constructor(
    private readonly url: string,
    private readonly retry: RetryOptions = { attempts: 5, baseMs: 500, maxMs: 10_000, retriable: retriableHttp },
  ) {}

  async send(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    try {
      await withRetry(async () => {
        const res = await fetch(`${this.url.replace(/\/$/, '')}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts), signal: AbortSignal.timeout(10_000) });
        if (!res.ok) throw new HttpStatusError(res.status, `Alertmanager answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }, { retriable: retriableHttp, ...this.retry });
    } catch (err) {
      throw new CallsentryError('SINK_FAILED', `alertmanager at ${this.url}: ${(err as Error).message}`, { retriable: retriableHttp(err), cause: err });
    }
  }
}
