// The real Alertmanager (Debian package) for integration tests, started by infra/alertmanager/start.sh.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const ALERTMANAGER_URL = `http://127.0.0.1:${process.env.CALLSENTRY_ALERTMANAGER_PORT ?? 9097}`;

/** Starts (or reconfigures) Alertmanager with notifications to `webhook`; fails saying how to start it. */
export function requireAlertmanager(env: Record<string, string>): void {
  const r = spawnSync('bash', [path.join(ROOT, 'infra/alertmanager/start.sh')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    throw new Error(`infra/alertmanager/start.sh failed (exit ${r.status ?? r.signal}):\n${r.stderr}\nStart Alertmanager with \`bash infra/alertmanager/start.sh\` (Debian package prometheus-alertmanager; \`npm run test:all\` installs it).`);
  }
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  endsAt: string;
}

export async function amAlerts(filter: string, active = true): Promise<AmAlert[]> {
  const res = await fetch(`${ALERTMANAGER_URL}/api/v2/alerts?active=${active}&silenced=false&inhibited=false&filter=${encodeURIComponent(filter)}`);
  if (!res.ok) throw new Error(`Alertmanager answered ${res.status}`);
  return (await res.json()) as AmAlert[];
}
