// Reads the configuration file named by --config or CALLSENTRY_CONFIG; none means the embedded
// default. Command-line overrides of the bus come last. Every command checks the whole of it here,
// detector settings and the export schedule included, so `callsentry config` refuses what a stage would.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, parseConfig, type CallsentryConfig } from '../core/config';
import { CallsentryError } from '../core/errors';
import { checkCronExpression } from '../audit/scheduler';
import { activeDetectors } from '../detectors/registry';

export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): CallsentryConfig {
  const file = path ?? env.CALLSENTRY_CONFIG;
  let cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CallsentryError('BAD_CONFIG', `cannot read configuration file ${file}: ${(err as Error).message}`, { cause: err });
    }
    cfg = parseConfig(text, file);
    try {
      activeDetectors(cfg.detectors);
      if (cfg.audit.export.schedule !== null) checkCronExpression(cfg.audit.export.schedule);
    } catch (err) {
      if (err instanceof CallsentryError) throw new CallsentryError(err.code, `${file}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  if (env.CALLSENTRY_KAFKA_BROKERS) {
    cfg.bus.kind = 'kafka';
    cfg.bus.kafka.brokers = env.CALLSENTRY_KAFKA_BROKERS.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (env.CALLSENTRY_TOPIC_PREFIX !== undefined) cfg.bus.topic_prefix = env.CALLSENTRY_TOPIC_PREFIX;
  if (env.CALLSENTRY_METRICS_LISTEN !== undefined) cfg.metrics.listen = env.CALLSENTRY_METRICS_LISTEN === 'off' ? null : env.CALLSENTRY_METRICS_LISTEN;
  if (env.CALLSENTRY_API_LISTEN !== undefined) cfg.api.listen = env.CALLSENTRY_API_LISTEN === 'off' ? null : env.CALLSENTRY_API_LISTEN;
  if (env.CALLSENTRY_CONSOLE_LISTEN !== undefined) cfg.console.listen = env.CALLSENTRY_CONSOLE_LISTEN === 'off' ? null : env.CALLSENTRY_CONSOLE_LISTEN;
  if (env.CALLSENTRY_VERDICT_HTTP_LISTEN !== undefined) cfg.verdicts.http_listen = env.CALLSENTRY_VERDICT_HTTP_LISTEN === 'off' ? null : env.CALLSENTRY_VERDICT_HTTP_LISTEN;
  if (env.CALLSENTRY_VERDICT_SIP_LISTEN !== undefined) cfg.verdicts.sip_listen = env.CALLSENTRY_VERDICT_SIP_LISTEN === 'off' ? null : env.CALLSENTRY_VERDICT_SIP_LISTEN;
  return cfg;
}
