// Picks adapters from configuration. Only service mains (and the embedded runtime) import this.
import type { Clock } from '../core/clock';
import type { CallsentryConfig } from '../core/config';
import type { Actuator, Bus, Logger } from '../core/ports';
import { DryRunActuator } from './dry-run/dry-run-actuator';
import { KafkaBus } from './kafka/kafka-bus';
import { MemoryBus } from './memory-bus/memory-bus';

export function createBus(cfg: CallsentryConfig, log: Logger): Bus {
  if (cfg.bus.kind === 'kafka') {
    return new KafkaBus({ settings: cfg.bus.kafka, log, defaultPartitions: cfg.bus.partitions, replicationFactor: cfg.bus.replication_factor });
  }
  return new MemoryBus({ defaultPartitions: cfg.bus.partitions });
}

export function createActuators(cfg: CallsentryConfig, log: Logger, clock: Clock): Actuator[] {
  return cfg.enforcer.actuators.map((name): Actuator => {
    switch (name) {
      case 'dry-run':
        return new DryRunActuator(log.child({ actuator: 'dry-run' }), clock);
      default:
        throw new Error(`unknown actuator ${String(name)}`);
    }
  });
}
