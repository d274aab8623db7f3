// Where alerts go: Alertmanager, a signed webhook. Adapters implement it; send throws when the
// sink stays unreachable after its retries, so the batch is re-delivered and nothing is lost.
import type { Alert } from './alert';

export interface AlertSink {
  readonly name: string;
  send(alerts: Alert[]): Promise<void>;
}
