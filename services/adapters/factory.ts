// Picks adapters from configuration. Only service mains (and the embedded runtime) import this.
import type { Clock } from '../core/clock';
import type { CallsentryConfig } from '../core/config';
import type { Actuator, Bus, Logger } from '../core/ports';
import { DryRunActuator } from './dry-run/dry-run-actuator';
import { KafkaBus } from './kafka/kafka-bus';
import { MemoryBus } from './memory-bus/memory-bus';
import { NftablesActuator } from './nftables/nftables-actuator';

export function createBus(cfg: CallsentryConfig, log: Logger): Bus {
  if (cfg.bus.kind === 'kafka') {
    return new KafkaBus({ settings: cfg.bus.kafka, log, defaultPartitions: cfg.bus.partitions, replicationFactor: cfg.bus.replication_factor });
  }
  return new MemoryBus({ defaultPartitions: cfg.bus.partitions });
}

/**
 * The configured enforcement points. In dry-run mode each is replaced by its dry-run twin, which
 * logs what it would do and answers `list` like the real one: nothing touches the network.
 */
export function createActuators(cfg: CallsentryConfig, log: Logger, clock: Clock): Actuator[] {
  return cfg.enforcer.actuators.map((name): Actuator => {
    if (name === 'dry-run' || cfg.decisions.mode === 'dry-run') return new DryRunActuator(log.child({ actuator: name }), clock, name === 'dry-run' ? 'dry-run' : `dry-run:${name}`);
    switch (name) {
      case 'nftables': {
        const n = cfg.enforcer.nftables;
        return new NftablesActuator({
          log: log.child({ actuator: 'nftables' }),
          clock,
          ruleset: { table: n.table, rateLimit: { packetsPerSecond: n.rate_limit_pps, burst: n.rate_limit_burst } },
          runner: n.netns ? { netns: n.netns } : {},
        });
      }
    }
  });
}
