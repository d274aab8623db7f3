// A stage run as its own process talks to the others through Kafka. On the embedded in-process bus
// it would be alone: nothing reaches it and nothing it writes is read. Refuse, and say what works.
import type { CallsentryConfig } from '../core/config';
import { CallsentryError } from '../core/errors';

export function requireSharedBus(cfg: CallsentryConfig, command: string, instead: string): void {
  if (cfg.bus.kind === 'kafka') return;
  throw new CallsentryError(
    'BAD_CONFIG',
    `it is one stage of a distributed pipeline (${command}) and reads or writes the topics of a Kafka cluster; ` +
      `on the embedded bus (bus.kind: memory) no other process would see them. Set bus.kind: kafka in the configuration ` +
      `or CALLSENTRY_KAFKA_BROKERS=HOST:PORT; ${instead}`,
  );
}
