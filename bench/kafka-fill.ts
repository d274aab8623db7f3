// Fills the flow topics once per benchmark run, fast: the synthetic office goes through the
// collector edge (Ingest: the same keys, headers, timestamps and by-account copies as in
// production) into memory, and a plain kafkajs producer (acks from the leader, several requests in
// flight) writes those messages. Only the filling is fast; what is measured reads them afterwards.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Ingest } from '../services/collector/ingest';
import { generate, type Scenario } from '../services/collector/synthetic';
import type { BusProducer, OutgoingMessage } from '../services/core/ports';
import type { Runtime } from '../services/runtime/runtime';

const SECONDS_PER_CHUNK = 60;
const MESSAGES_PER_REQUEST = 1_000;
const REQUESTS_IN_FLIGHT = 8;

export interface Filled {
  /** records produced per topic */
  topics: Record<string, number>;
  sip_flows: number;
  seconds: number;
}

/** Produces the scenario's first `records` SIP flows (fewer if it has fewer). */
export async function fillTopics(rt: Runtime, scenario: Scenario, records: number, brokers: string[]): Promise<Filled> {
  const started = performance.now();
  const kafka = new Kafka({ brokers, clientId: 'callsentry-bench-fill', logLevel: logLevel.WARN });
  // the partitioner of the Java client and of the bus adapters: a key lands where production puts it
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const counts: Record<string, number> = {};
  const writer = new RequestQueue(producer);
  const collected: BusProducer = {
    send: async (topic, messages) => {
      counts[topic] = (counts[topic] ?? 0) + messages.length;
      for (let i = 0; i < messages.length; i += MESSAGES_PER_REQUEST) await writer.push(topic, messages.slice(i, i + MESSAGES_PER_REQUEST));
    },
  };
  const ingest = new Ingest({ producer: collected, topics: rt.topics, metrics: rt.metrics, sensor: 'bench', batchSize: MESSAGES_PER_REQUEST });
  let sip = 0;
  for (let from = 0; from < scenario.seconds && sip < records; from += SECONDS_PER_CHUNK) {
    for (const r of generate(scenario, from, Math.min(scenario.seconds, from + SECONDS_PER_CHUNK))) {
      if (sip === records) break;
      await ingest.record(r);
      sip++;
    }
  }
  await ingest.flush();
  await writer.drain();
  await producer.disconnect();
  return { topics: counts, sip_flows: sip, seconds: (performance.now() - started) / 1000 };
}

/** At most REQUESTS_IN_FLIGHT produce requests at a time; the first failure fails the fill. */
class RequestQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly producer: Producer) {}

  async push(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inFlight.size >= REQUESTS_IN_FLIGHT) await Promise.race(this.inFlight);
    const request = this.producer
      .send({
        topic,
        acks: 1,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers, ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}) })),
      })
      .then(
        () => undefined,
        (err) => void (this.failure ??= err),
      )
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}
