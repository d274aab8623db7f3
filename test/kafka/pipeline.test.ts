// The pipeline on a real Apache Kafka broker: 100,000 SIP flow records through the collector,
// detectors in a consumer group of two, decisions; reconciled against the ground truth, then again
// with one member stopped mid-stream. Needs the broker: `npm run kafka:start`.
import { Kafka, logLevel } from 'kafkajs';
import { Ingest } from '../../services/collector/ingest';
import { decode } from '../../services/core/codec';
import type { Subscription } from '../../services/core/ports';
import type { Decision, Finding, SipFlow } from '../../services/core/records';
import { HEADER } from '../../services/core/topics';
import { runStage } from '../../services/core/stage';
import { detectStage } from '../../services/detectors/detect-stage';
import { activeDetectors } from '../../services/detectors/registry';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { startEnforce } from '../../services/runtime/stages';
import type { CallsentryConfig } from '../../services/core/config';
import { deleteTopics, kafkaConfig, KAFKA_BROKERS, requireKafka, waitFor } from '../support/kafka';
import { HUNDRED_K_FLAGGED, hundredK, referenceFindings } from '../support/scenarios';

const records = hundredK();
const reference = referenceFindings(records);
/** Findings as comparable lines: detector, key, event time, id. */
const lines = (fs: Iterable<Finding>) => [...fs].map((f) => `${f.rule.id} ${f.key.value} ${f['@timestamp']} ${f.event.id}`).sort();

/** A detector member that records which flow ids it processed. */
async function detectMember(cfg: CallsentryConfig, seen: Set<string>): Promise<{ rt: Runtime; sub: Subscription }> {
  const rt = createRuntime(cfg);
  const stage = detectStage({ topics: rt.topics, detectors: activeDetectors(), metrics: rt.metrics });
  const process = stage.process.bind(stage);
  stage.process = (batch, ctx) => {
    for (const m of batch.messages) seen.add(decode<SipFlow>(m).event.id);
    return process(batch, ctx);
  };
  return { rt, sub: await runStage(rt.bus, stage, rt) };
}

/** Reads findings and decisions as they are produced. */
async function outputReader(prefix: string) {
  const findings = new Map<string, Finding>();
  const decisions = new Map<string, Decision>();
  const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-reader', logLevel: logLevel.NOTHING }).consumer({ groupId: `${prefix}reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: [`${prefix}findings.v1`, `${prefix}decisions.v1`], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const v = JSON.parse(message.value!.toString());
      if (topic.endsWith('findings.v1')) findings.set(v.event.id, v);
      else decisions.set(v.id, v);
    },
  });
  return { findings, decisions, stop: () => consumer.disconnect() };
}

async function produce(cfg: CallsentryConfig, slice: SipFlow[]): Promise<Ingest> {
  const rt = createRuntime(cfg);
  const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'it' });
  for (const r of slice) await ingest.record(r);
  await ingest.flush();
  await rt.bus.close();
  return ingest;
}

describe('pipeline on Apache Kafka', () => {
  const prefixes: string[] = [];
  /** stops whatever a test started, even when it failed half-way */
  let cleanup: Array<() => Promise<unknown>> = [];
  const track = <T extends { stop(): Promise<unknown> } | Runtime>(x: T): T => {
    cleanup.push(() => ('bus' in x ? x.bus.close() : x.stop()).catch(() => undefined));
    return x;
  };
  /** A configuration with its own, newly created topics (deleted after the suite). */
  const freshTopics = async (partitions: number): Promise<CallsentryConfig> => {
    const cfg = kafkaConfig(partitions);
    prefixes.push(cfg.bus.topic_prefix);
    const admin = createRuntime(cfg);
    await ensureTopics(admin);
    await admin.bus.close();
    return cfg;
  };
  beforeAll(requireKafka);
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  afterAll(async () => {
    for (const p of prefixes) await deleteTopics(p);
  });

  it('reconciles 100,000 records through a consumer group of two: every record seen, findings and decisions as the ground truth says', async () => {
    const cfg = await freshTopics(4);

    const seen = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const m = await detectMember(cfg, seen);
      track(m.rt);
      track(m.sub);
    }
    const enforcer = track(createRuntime(cfg));
    for (const s of await startEnforce(enforcer)) track(s);
    const out = track(await outputReader(cfg.bus.topic_prefix));

    const ingest = await produce(cfg, records);
    expect(ingest.stats).toMatchObject({ accepted: 100_000, rejected: {} });

    const complete = await waitFor(() => seen.size === records.length && out.decisions.size >= reference.length, 180_000);
    expect({ complete, seen: seen.size }).toEqual({ complete: true, seen: records.length });
    // the distributed run finds exactly what one engine over the same records finds
    expect(lines(out.findings.values())).toEqual(lines(reference));
    // and that is the ground truth: each flooding source flagged as often as it flooded, nobody else
    const flagged: Record<string, number> = {};
    for (const f of out.findings.values()) flagged[f.key.value] = (flagged[f.key.value] ?? 0) + 1;
    expect(flagged).toEqual(HUNDRED_K_FLAGGED);
    const blocks = [...out.decisions.values()].map((d) => `${d.action} ${d.target.value} ${d.mode}`).sort();
    expect(blocks).toEqual(reference.map((f) => `${f.remediation === 'block-source' ? 'block' : f.remediation} ${f.key.value} dry-run`).sort());
  });

  it('loses nothing when one member stops mid-stream', async () => {
    const cfg = await freshTopics(4);

    const seen = new Set<string>();
    const a = await detectMember(cfg, seen);
    const b = await detectMember(cfg, seen);
    for (const m of [b, a]) {
      track(m.rt);
      track(m.sub);
    }
    const out = track(await outputReader(cfg.bus.topic_prefix));

    const half = records.length / 2;
    await produce(cfg, records.slice(0, half));
    // let both members work on the first half, then stop one while records keep arriving
    expect(await waitFor(() => seen.size >= half * 0.6, 120_000)).toBe(true);
    await a.sub.stop();
    await a.rt.bus.close();
    await produce(cfg, records.slice(half));

    const complete = await waitFor(() => seen.size === records.length && out.findings.size >= reference.length, 180_000);
    expect({ complete, seen: seen.size }).toEqual({ complete: true, seen: records.length });
    expect(lines(out.findings.values())).toEqual(lines(reference));
  });

  it('dead-letters bad input on Kafka with its reason, and keeps every good record', async () => {
    const cfg = await freshTopics(1);
    const rt = createRuntime(cfg);
    const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'it' });
    const good = records.slice(0, 50);
    for (const [i, r] of good.entries()) {
      await ingest.line(JSON.stringify(r));
      if (i === 10) await ingest.line('{oops');
      if (i === 20) await ingest.line(JSON.stringify({ ...r, network: { transport: 'carrier-pigeon' } }));
    }
    await ingest.oversized('{"event":', 1_000_000);
    await ingest.flush();
    await rt.bus.close();

    const got: Record<string, string[]> = {};
    const consumer = new Kafka({ brokers: KAFKA_BROKERS, clientId: 'it-dlq', logLevel: logLevel.NOTHING }).consumer({ groupId: `${cfg.bus.topic_prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [rt.topics.name('flows.sip.v1'), rt.topics.dlq('flows.sip.v1')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        (got[topic] ??= []).push(topic.endsWith('.dlq') ? String(message.headers?.[HEADER.dlqReason]) : JSON.parse(message.value!.toString()).event.id);
      },
    });
    const done = await waitFor(() => (got[rt.topics.name('flows.sip.v1')]?.length ?? 0) >= 50 && (got[rt.topics.dlq('flows.sip.v1')]?.length ?? 0) >= 3, 60_000);
    await consumer.disconnect();
    expect(done).toBe(true);
    expect(got[rt.topics.name('flows.sip.v1')].sort()).toEqual(good.map((r) => r.event.id).sort());
    expect(got[rt.topics.dlq('flows.sip.v1')]).toEqual(['BAD_JSON', 'BAD_RECORD', 'OVERSIZED']);
  });
});
