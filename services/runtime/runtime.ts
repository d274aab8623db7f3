// What every process shares: configuration, bus, topic names, logger, metrics, clock.
import { systemClock, type Clock } from '../core/clock';
import type { CallsentryConfig } from '../core/config';
import type { MetricsRegistry } from '../core/metrics';
import type { Bus, Logger } from '../core/ports';
import { TOPIC, Topics } from '../core/topics';
import { createBus } from '../adapters/factory';
import { createJsonLogger } from '../adapters/log/json-logger';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';

export interface Runtime {
  cfg: CallsentryConfig;
  bus: Bus;
  topics: Topics;
  log: Logger;
  metrics: MetricsRegistry;
  clock: Clock;
}

export function createRuntime(cfg: CallsentryConfig, over: Partial<Runtime> = {}): Runtime {
  const log = over.log ?? createJsonLogger({ level: cfg.log.level });
  return {
    cfg,
    log,
    bus: over.bus ?? createBus(cfg, log),
    topics: over.topics ?? new Topics(cfg.bus.topic_prefix),
    metrics: over.metrics ?? new PromMetricsRegistry({ defaultMetrics: true }),
    clock: over.clock ?? systemClock,
  };
}

/** Creates every topic (and its dead-letter topic) the pipeline uses. */
export async function ensureTopics(rt: Runtime): Promise<void> {
  const specs = Object.values(TOPIC).flatMap((t) => [
    // the allowlist is a table (latest entry per range), read whole by every enforcer
    t === TOPIC.allowlist
      ? { name: rt.topics.name(t), partitions: 1, cleanup: 'compact' as const }
      : // the audit chain is one sequence: one partition keeps it in order for its readers
        { name: rt.topics.name(t), partitions: t === TOPIC.auditLog ? 1 : rt.cfg.bus.partitions },
    { name: rt.topics.dlq(t), partitions: 1 },
  ]);
  await rt.bus.ensureTopics(specs);
}
