// What the schema cannot say about a configuration but a stage would refuse at start: an
// allowlist entry that is no address, a route to a sink that does not exist, half a TLS pair.
// Checked when the file is read, so `callsentry config` refuses what `start` and `replay` would.
import { parseCidr } from './cidr';
import type { CallsentryConfig } from './config';
import { showValue } from './config-errors';
import { dialPlanProblems } from './dial-plan-checks';

export function configProblems(cfg: CallsentryConfig): string[] {
  const problems: string[] = [];
  cfg.enforcer.allowlist.forEach((entry, i) => {
    try {
      parseCidr(entry);
    } catch {
      problems.push(`enforcer.allowlist[${i}]: ${showValue(entry)} is not allowed; expected an IPv4 or IPv6 address, or a CIDR with a prefix length from 0 to 32 (IPv4) or 0 to 128 (IPv6)`);
    }
  });

  const sinks = [...(cfg.alerting.alertmanager_url ? ['alertmanager'] : []), ...cfg.alerting.webhooks.map((w) => w.name)];
  cfg.alerting.routes.forEach((r, i) =>
    r.sinks.forEach((name, j) => {
      if (!sinks.includes(name)) problems.push(`alerting.routes[${i}].sinks[${j}]: ${showValue(name)} is not allowed; expected one of the configured sinks (${sinks.join(', ') || 'none: set alerting.alertmanager_url or alerting.webhooks'})`);
    }),
  );
  const webhookNames = cfg.alerting.webhooks.map((w) => w.name);
  webhookNames.forEach((name, i) => {
    if (webhookNames.indexOf(name) !== i) problems.push(`alerting.webhooks[${i}].name: ${showValue(name)} is listed twice; expected a name of its own`);
  });

  const userNames = cfg.console.users.map((u) => u.name);
  cfg.console.users.forEach((u, i) => {
    if (userNames.indexOf(u.name) !== i) problems.push(`console.users[${i}].name: ${showValue(u.name)} is listed twice; expected a name of its own`);
    if (!u.password_hash && !u.token_env) problems.push(`console.users[${i}]: ${showValue(u.name)} has neither password_hash nor token_env; expected at least one, or the user could never log in`);
  });
  const tls = cfg.console.tls;
  if (Boolean(tls.cert_file) !== Boolean(tls.key_file)) problems.push(`console.tls: ${showValue(tls)} is not allowed; expected both cert_file and key_file, or neither`);

  problems.push(...dialPlanProblems(cfg));

  const es = cfg.indexer.elasticsearch;
  if (es.username && !es.password_env) problems.push(`indexer.elasticsearch.username: ${showValue(es.username)} needs password_env too (the environment variable holding the password)`);
  return problems;
}
