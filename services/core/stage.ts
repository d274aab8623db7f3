// A stage reads topics and writes topics; it never calls another stage. This runner gives every
// stage the same shape: decode, process, produce outputs, send unusable records to the dead-letter
// topic with a reason, and only then let the bus commit.
import type { BatchResult, Bus, BusBatch, BusMessage, BusProducer, Logger, OutgoingMessage, StateReader, Subscription } from './ports';
import { HEADER, DLQ_SUFFIX } from './topics';
import { decode } from './codec';
import type { ErrorCode } from './errors';
import type { MetricsRegistry } from './metrics';

export interface StageOutput {
  topic: string;
  messages: OutgoingMessage[];
}

export interface StageContext {
  /** Queue a message for an output topic; sent before the batch is committed. */
  emit(topic: string, message: OutgoingMessage): void;
  /** Send the message being processed to its topic's dead-letter topic with a reason code. */
  deadLetter(message: BusMessage, code: ErrorCode, detail: string): void;
  /** The message's record, or undefined after dead-lettering it as BAD_JSON. */
  decode<T>(message: BusMessage): T | undefined;
  /** The newest message under `key` on one of the stage's state topics; undefined without one (or a bus without state readers). */
  latestState(topic: string, key: string): Promise<BusMessage | undefined>;
  /** The first offset of a partition at or after a timestamp, where the bus can tell. */
  offsetAt(topic: string, partition: number, timestampMs: number): Promise<string | undefined>;
  log: Logger;
}

export interface StageDefinition {
  name: string;
  groupId: string;
  topics: string[];
  /** Processes one batch of one partition; may return an earlier commit offset (windowed state). */
  process(batch: BusBatch, ctx: StageContext): Promise<BatchResult | void> | BatchResult | void;
  /** Forget the state of these partitions: they moved to another member, or their batch failed. */
  onRevoked?(topic: string, partitions: number[]): void;
  /** a new group reads from the earliest offset (default) or only what arrives from now on */
  startAt?: 'earliest' | 'latest';
  /** compacted topics the stage restores its state from; their readers start with the stage */
  stateTopics?: string[];
}

export async function runStage(bus: Bus, stage: StageDefinition, deps: { log: Logger; metrics: MetricsRegistry }): Promise<Subscription> {
  const producer: BusProducer = await bus.producer();
  const recordsIn = deps.metrics.counter('callsentry_stage_records_in_total', 'Records read by a stage');
  const recordsOut = deps.metrics.counter('callsentry_stage_records_out_total', 'Records written by a stage');
  const dlq = deps.metrics.counter('callsentry_dlq_total', 'Records sent to a dead-letter topic, by reason');
  const failures = deps.metrics.counter('callsentry_stage_failures_total', 'Batches that failed and will be re-delivered');
  const batchSeconds = deps.metrics.histogram('callsentry_stage_batch_seconds', 'Time to process a batch and send its outputs, by stage');
  const lag = deps.metrics.gauge('callsentry_consumer_lag', 'Messages behind the end of the partition after the last batch, by stage, topic and partition');
  const log = deps.log.child({ stage: stage.name });
  // started before the group join, so that a partition's snapshot is at hand when it is assigned
  const readers = new Map<string, StateReader>();
  if (bus.stateReader) for (const t of stage.stateTopics ?? []) readers.set(t, await bus.stateReader(t));

  const subscription = await bus.subscribe({
    groupId: stage.groupId,
    topics: stage.topics,
    ...(stage.startAt ? { startAt: stage.startAt } : {}),
    onRevoked: (topic, partitions) => stage.onRevoked?.(topic, partitions),
    handler: async (batch) => {
      const outputs = new Map<string, OutgoingMessage[]>();
      const push = (topic: string, m: OutgoingMessage) => {
        let list = outputs.get(topic);
        if (!list) outputs.set(topic, (list = []));
        list.push(m);
      };
      const ctx: StageContext = {
        emit: push,
        decode: <T>(m: BusMessage): T | undefined => {
          try {
            return decode<T>(m);
          } catch (err) {
            ctx.deadLetter(m, 'BAD_JSON', (err as Error).message);
            return undefined;
          }
        },
        latestState: async (topic, key) => readers.get(topic)?.latest(key),
        offsetAt: async (topic, partition, ts) => bus.offsetAt?.(topic, partition, ts),
        log,
        deadLetter: (m, code, detail) => {
          dlq.inc({ topic: m.topic, reason: code });
          log.warn({ topic: m.topic, partition: m.partition, offset: m.offset, reason: code, detail }, 'record sent to dead-letter topic');
          push(m.topic + DLQ_SUFFIX, {
            key: m.key,
            value: m.value,
            headers: { ...m.headers, [HEADER.dlqReason]: code, [HEADER.dlqDetail]: detail.slice(0, 500) },
          });
        },
      };
      recordsIn.inc({ stage: stage.name }, batch.messages.length);
      const started = performance.now();
      try {
        const result = await stage.process(batch, ctx);
        for (const [topic, messages] of outputs) {
          await producer.send(topic, messages);
          recordsOut.inc({ stage: stage.name, topic }, messages.length);
        }
        batchSeconds.observe({ stage: stage.name }, (performance.now() - started) / 1000);
        if (batch.highWatermark !== undefined && batch.messages.length > 0) {
          const next = BigInt(batch.messages[batch.messages.length - 1].offset) + 1n;
          lag.set({ stage: stage.name, topic: batch.topic, partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - next));
        }
        return result;
      } catch (err) {
        // the bus re-delivers from the committed offset: state built from this batch must go, so
        // that it is rebuilt exactly instead of counted twice or half
        failures.inc({ stage: stage.name });
        log.error({ topic: batch.topic, partition: batch.partition, err }, 'batch failed; will be re-delivered');
        stage.onRevoked?.(batch.topic, [batch.partition]);
        throw err;
      }
    },
  });
  return {
    stop: async () => {
      await subscription.stop();
      for (const r of readers.values()) await r.close();
    },
  };
}
