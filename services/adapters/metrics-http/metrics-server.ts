// GET /metrics for Prometheus, from the process's registry. A port already in use is a warning, not
// a crash: the pipeline matters more than its metrics, and the log says how to fix it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '../../core/metrics';
import type { Logger } from '../../core/ports';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(listen: string, metrics: MetricsRegistry, log: Logger, labels: Record<string, string> = {}): Promise<MetricsServer | undefined> {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  const uptime = metrics.gauge('callsentry_process_start_time_seconds', 'Start time of the process, by service');
  uptime.set(labels, Math.floor(Date.now() / 1000));
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${err.message}\n`);
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('metrics are at /metrics\n');
  });
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      log.warn({ listen, error: err.code ?? err.message }, 'metrics endpoint not started: set metrics.listen (or CALLSENTRY_METRICS_LISTEN) to a free HOST:PORT, or off');
      resolve(false);
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!ok) return undefined;
  const a = server.address() as AddressInfo;
  const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics`;
  log.info({ url }, 'metrics endpoint listening');
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}
