// Each long-running command serves its registry for Prometheus as metrics.listen says.
import { startMetricsServer, type MetricsServer } from '../adapters/metrics-http/metrics-server';
import type { Runtime } from './runtime';

export async function serveMetrics(rt: Runtime, service: string): Promise<MetricsServer | undefined> {
  return rt.cfg.metrics.listen ? startMetricsServer(rt.cfg.metrics.listen, rt.metrics, rt.log, { service }) : undefined;
}
