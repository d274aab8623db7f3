// Every Prometheus panel of every dashboard, executed by the real Prometheus after it scraped a
// running callsentry: each expression must return series. The process is `callsentry start` on the
// demo scenario, configured so that every kind of event the panels show happens: blocks (short, so
// they expire), a guardrail refusal (one flooder is allowlisted), findings and decisions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DASHBOARDS } from '../../dashboards/src/all';
import { renderDashboard } from '../../dashboards/src/dashboard';
import { announceTarget, promQuery, requirePrometheus } from '../support/prometheus';

const CLI = path.resolve(__dirname, '../../bin/callsentry.js');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const promTargets = DASHBOARDS.flatMap((d) =>
  (renderDashboard(d) as Json).rows.flatMap((r: Json) => r.panels).filter((p: Json) => p.datasource.type === 'prometheus').flatMap((p: Json) => p.targets.map((t: Json) => ({ dashboard: d.uid, panel: p.title, expr: String(t.expr) }))),
) as Array<{ dashboard: string; panel: string; expr: string }>;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('Prometheus panels against a real Prometheus', () => {
  let child: ChildProcess | undefined;
  let target: { run: string; withdraw(): void } | undefined;

  beforeAll(async () => {
    requirePrometheus();
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-prom-'));
    const config = path.join(dir, 'callsentry.yaml');
    writeFileSync(config, ['decisions:', '  first_ban_seconds: 2', '  block_ttl_seconds: 2', 'enforcer:', "  allowlist: ['203.0.113.51']", '  reconcile_interval_seconds: 1', ''].join('\n'));
    const port = await freePort();
    child = spawn(process.execPath, [CLI, 'start', '--demo', '--speed', '10', '--for', '120', '--config', config, '--log-level', 'warn'], {
      env: { ...process.env, CALLSENTRY_METRICS_LISTEN: `127.0.0.1:${port}`, CALLSENTRY_API_LISTEN: '127.0.0.1:0' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    target = announceTarget(`127.0.0.1:${port}`, { service: 'start' });
    // Prometheus scrapes our process: bounded wait for its first successful scrape
    const until = Date.now() + 60_000;
    while (Date.now() < until && (await promQuery(`up{run="${target.run}"} == 1`)).length === 0) await new Promise((r) => setTimeout(r, 500));
    expect(await promQuery(`up{run="${target.run}"} == 1`)).toHaveLength(1);
  });

  afterAll(() => {
    target?.withdraw();
    child?.kill('SIGTERM');
  });

  it('knows the dashboards have Prometheus panels', () => {
    expect(promTargets.length).toBeGreaterThanOrEqual(8);
  });

  it.each(promTargets.map((t) => [`${t.dashboard} / ${t.panel}`, t]))('%s returns series', async (_name, t) => {
    const expr = t.expr.replace(/\$__rate_interval/g, '30s');
    // the demo makes every event within seconds; rates need two scrapes of it
    const until = Date.now() + 90_000;
    let series = await promQuery(expr);
    while (series.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      series = await promQuery(expr);
    }
    expect({ expr, series: series.length > 0 }).toEqual({ expr, series: true });
  });
});
