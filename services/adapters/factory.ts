// Picks adapters from configuration. Only service mains (and the embedded runtime) import this.
import type { Clock } from '../core/clock';
import type { CallsentryConfig } from '../core/config';
import type { Actuator, Bus, Logger } from '../core/ports';
import { DryRunActuator } from './dry-run/dry-run-actuator';
import { KafkaBus } from './kafka/kafka-bus';
import { MemoryBus } from './memory-bus/memory-bus';
import { NftablesActuator } from './nftables/nftables-actuator';
import { CoturnActuator } from './coturn-actuator/coturn-actuator';
import { CallsentryError } from '../core/errors';
import type { AlertSink } from '../alerting/sink';
import { AlertmanagerSink } from './alertmanager/alertmanager-sink';
import { WebhookSink } from './webhook/webhook-sink';

export function createBus(cfg: CallsentryConfig, log: Logger): Bus {
  if (cfg.bus.kind === 'kafka') {
    if (cfg.bus.kafka.client === 'platformatic') {
      // loaded only when chosen: the library is an ES module, the rest of the program need not load it
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PlatformaticKafkaBus } = require('./kafka/platformatic-bus') as typeof import('./kafka/platformatic-bus');
      return new PlatformaticKafkaBus({ settings: cfg.bus.kafka, log, defaultPartitions: cfg.bus.partitions, replicationFactor: cfg.bus.replication_factor });
    }
    return new KafkaBus({ settings: cfg.bus.kafka, log, defaultPartitions: cfg.bus.partitions, replicationFactor: cfg.bus.replication_factor });
  }
  return new MemoryBus({ defaultPartitions: cfg.bus.partitions });
}

/**
 * The configured enforcement points. In dry-run mode each is replaced by its dry-run twin, which
 * logs what it would do and answers `list` like the real one: nothing touches the network.
 */
export function createActuators(cfg: CallsentryConfig, log: Logger, clock: Clock, env: NodeJS.ProcessEnv = process.env): Actuator[] {
  return cfg.enforcer.actuators.map((name): Actuator => {
    if (name === 'dry-run' || cfg.decisions.mode === 'dry-run') return new DryRunActuator(log.child({ actuator: name }), clock, name === 'dry-run' ? 'dry-run' : `dry-run:${name}`);
    switch (name) {
      case 'nftables': {
        const n = cfg.enforcer.nftables;
        return new NftablesActuator({
          log: log.child({ actuator: 'nftables' }),
          clock,
          ruleset: {
            table: n.table,
            rateLimit: { packetsPerSecond: n.rate_limit_pps, burst: n.rate_limit_burst },
            aggregateLimit: { packetsPerSecond: n.aggregate_limit_pps, burst: n.aggregate_limit_burst },
          },
          runner: n.netns ? { netns: n.netns } : {},
        });
      }
      case 'coturn': {
        const c = cfg.enforcer.coturn;
        return new CoturnActuator({
          log: log.child({ actuator: 'coturn' }),
          clock,
          realm: c.realm,
          redis: { host: c.redis.host, port: c.redis.port, db: c.redis.db, ...(c.redis.password_env ? { password: secret(c.redis.password_env, env) } : {}) },
          ...(c.cli ? { cli: { host: c.cli.host, port: c.cli.port, password: secret(c.cli.password_env, env) } } : {}),
        });
      }
    }
  });
}

/** Secrets come from the environment variable the configuration names, never from the file. */
function secret(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (!value) throw new CallsentryError('BAD_CONFIG', `environment variable ${name} (named in enforcer.coturn) is not set`);
  return value;
}

/** The configured alert sinks: Alertmanager and the signed webhooks (secrets from the environment). */
export function createAlertSinks(cfg: CallsentryConfig, env: NodeJS.ProcessEnv = process.env): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (cfg.alerting.alertmanager_url) sinks.push(new AlertmanagerSink(cfg.alerting.alertmanager_url));
  for (const w of cfg.alerting.webhooks) {
    const secret = env[w.secret_env];
    if (!secret) throw new CallsentryError('BAD_CONFIG', `alerting.webhooks ${w.name}: environment variable ${w.secret_env} (its HMAC secret) is not set`);
    sinks.push(new WebhookSink(w.name, w.url, secret));
  }
  const names = new Set(sinks.map((s) => s.name));
  for (const r of cfg.alerting.routes) for (const s of r.sinks) if (!names.has(s)) throw new CallsentryError('BAD_CONFIG', `alerting.routes names sink "${s}", which is not configured (known: ${[...names].join(', ') || 'none'})`);
  return sinks;
}
