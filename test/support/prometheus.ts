// The real Prometheus (Debian package) for integration tests: started by infra/prometheus/start.sh,
// told about a target by a file_sd file, queried over its HTTP API.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const PROMETHEUS_URL = `http://127.0.0.1:${process.env.CALLSENTRY_PROMETHEUS_PORT ?? 9090}`;
const TARGETS = path.join(process.env.CALLSENTRY_PROMETHEUS_RUN_DIR ?? path.join(ROOT, '.run/prometheus'), 'targets');

/** Starts Prometheus (scraping every second) unless it runs; fails saying how to start it. */
export function requirePrometheus(): void {
  const r = spawnSync('bash', [path.join(ROOT, 'infra/prometheus/start.sh')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CALLSENTRY_PROMETHEUS_SCRAPE_INTERVAL: process.env.CALLSENTRY_PROMETHEUS_SCRAPE_INTERVAL ?? '1s' } });
  if (r.status !== 0) {
    throw new Error(`infra/prometheus/start.sh failed (exit ${r.status ?? r.signal}):\n${r.stderr}\nStart Prometheus with \`bash infra/prometheus/start.sh\` (Debian package prometheus; \`npm run test:all\` installs it).`);
  }
}

/** Announces a /metrics endpoint to Prometheus; returns the run label and a function that withdraws it. */
export function announceTarget(hostPort: string, labels: Record<string, string>): { run: string; withdraw(): void } {
  const run = randomBytes(4).toString('hex');
  mkdirSync(TARGETS, { recursive: true });
  const file = path.join(TARGETS, `test-${run}.json`);
  writeFileSync(file, JSON.stringify([{ targets: [hostPort], labels: { ...labels, run } }]));
  return { run, withdraw: () => rmSync(file, { force: true }) };
}

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

export async function promQuery(expr: string): Promise<PromSeries[]> {
  const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSeries[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  return body.data!.result;
}
