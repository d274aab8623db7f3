import { PromMetricsRegistry } from '../metrics-prom/prom-registry';
import { silentLogger, type Logger } from '../../core/ports';
import { startMetricsServer } from './metrics-server';

describe('metrics endpoint', () => {
  it('serves the registry at /metrics in the Prometheus text format, as it changes', async () => {
    const m = new PromMetricsRegistry();
    const c = m.counter('callsentry_stage_records_in_total', 'Records read by a stage');
    const server = (await startMetricsServer('127.0.0.1:0', m, silentLogger, { service: 'detect' }))!;
    c.inc({ stage: 'detect' }, 5);
    const res = await fetch(server.url);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('callsentry_stage_records_in_total{stage="detect"} 5');
    expect(text).toMatch(/callsentry_process_start_time_seconds\{service="detect"\} \d{10}/);
    expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
    await server.close();
  });

  it('warns and runs on without the endpoint when the port is taken', async () => {
    const first = (await startMetricsServer('127.0.0.1:0', new PromMetricsRegistry(), silentLogger))!;
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (_o, msg) => void warnings.push(msg), child: () => log };
    expect(await startMetricsServer(first.url.replace('http://', '').replace('/metrics', ''), new PromMetricsRegistry(), log)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/set metrics.listen \(or CALLSENTRY_METRICS_LISTEN\)/)]);
    await first.close();
  });
});
