// What every process shares: configuration, bus, topic names, logger, metrics, clock.
import { systemClock, type Clock } from '../core/clock';
import type { CallsentryConfig } from '../core/config';
import type { MetricsRegistry } from '../core/metrics';
import type { Bus, Logger, TopicSpec } from '../core/ports';
import { STATE_TOPICS, TOPIC, Topics } from '../core/topics';
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
  const specs = Object.values(TOPIC).flatMap((t): TopicSpec[] => {
    const name = rt.topics.name(t);
    // detect snapshots: the newest per input partition, larger than any record
    if (STATE_TOPICS.includes(t)) return [{ name, partitions: rt.cfg.bus.partitions, cleanup: 'compact', maxMessageBytes: rt.cfg.detect.max_snapshot_bytes }];
    const dlq = { name: rt.topics.dlq(t), partitions: 1 };
    // the allowlist is a table (latest entry per range), read whole by every enforcer
    if (t === TOPIC.allowlist) return [{ name, partitions: 1, cleanup: 'compact' }, dlq];
    // incidents: the latest version of each, read whole by the operator API; one partition keeps
    // the actions in order for the single incidents stage
    if (t === TOPIC.incidents) return [{ name, partitions: 1, cleanup: 'compact' }, dlq];
    if (t === TOPIC.incidentActions) return [{ name, partitions: 1 }, dlq];
    // the audit chain is one sequence: one partition keeps it in order for its readers
    return [{ name, partitions: t === TOPIC.auditLog ? 1 : rt.cfg.bus.partitions }, dlq];
  });
  await rt.bus.ensureTopics(specs);
}
