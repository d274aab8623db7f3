// What the Elasticsearch suites and the benchmark produce: the 100,000 SIP flows of HUNDRED_K, media
// flows, the findings the detectors make of those flows, their decisions, and a hash-chained audit
// trail; with a helper that produces them through the collector and the bus.
import { decisionDraft, findingDraft } from '../../services/audit/drafts';
import { GENESIS, link } from '../../services/audit/chain';
import { Ingest } from '../../services/collector/ingest';
import { encode } from '../../services/core/codec';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import type { AuditEntry, Decision, Finding, MediaFlow, SipFlow } from '../../services/core/records';
import { TOPIC } from '../../services/core/topics';
import { decide } from '../../services/enforcer/decision-policy';
import { createRuntime } from '../../services/runtime/runtime';
import { generate } from '../../services/collector/synthetic';
import { HUNDRED_K, referenceFindings } from './scenarios';

export interface IndexedRecords {
  flows: SipFlow[];
  media: MediaFlow[];
  findings: Finding[];
  decisions: Decision[];
  audit: AuditEntry[];
}

export function mediaFlows(n: number, startMs: number): MediaFlow[] {
  return Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(startMs + i * 1000).toISOString(),
    event: { id: `media-${i}`, kind: 'event', dataset: 'media.flow', duration: 30_000_000_000 },
    source: { ip: `10.1.${i % 200}.${1 + (i % 250)}`, port: 20_000 + (i % 1000) * 2 },
    destination: { ip: '2001:db8::7', port: 40_000 },
    network: { transport: 'udp' },
    media: {
      call_id: `call-${i}`,
      ssrc: 100_000 + i,
      codec: i % 2 ? 'opus' : 'PCMU',
      srtp: i % 3 !== 0,
      ...(i % 3 !== 0 ? { srtp_suite: 'AES_CM_128_HMAC_SHA1_80' } : {}),
      packets: 1500,
      bytes: 240_000,
      lost: i % 7,
      jitter_ms: 2.5,
      duration_ms: 30_000,
      ...(i % 10 === 0 ? { relay: { user: 'lab', realm: 'callsentry.test', peers: ['192.0.2.10:5004'] } } : {}),
    },
  }));
}

/** A hash-chained audit trail, as the audit service links it: one entry per finding and per decision. */
export function auditTrail(findings: Finding[], decisions: Decision[]): AuditEntry[] {
  const drafts = [...findings.map(findingDraft), ...decisions.map(decisionDraft)];
  return link(GENESIS, drafts, Date.now()).entries;
}

/**
 * The HUNDRED_K scenario moved to recent event times. Kafka stamps messages with their event time
 * and the test broker keeps 24 hours: records from February would be deleted by the broker's
 * retention before the indexer reads them.
 */
export function indexedRecords(startMs = Date.now() - 3_600_000): IndexedRecords {
  const flows = generate({ ...HUNDRED_K, startMs }).slice(0, 100_000);
  const findings = referenceFindings(flows);
  const decisions = findings.map((f) => decide(f, DEFAULT_CONFIG.decisions)).map((d) => ({ ...d, outcome: { result: 'applied' as const, at: d['@timestamp'], ttl_applied_seconds: d.ttl_seconds } }));
  return { flows, media: mediaFlows(500, Date.parse(flows[0]['@timestamp'])), findings, decisions, audit: auditTrail(findings, decisions) };
}

/** Flows through the collector (validated, keyed by source); findings, decisions, audit straight to their topics. */
export async function produceRecords(cfg: CallsentryConfig, r: Partial<IndexedRecords>): Promise<void> {
  const rt = createRuntime(cfg);
  try {
    const producer = await rt.bus.producer();
    const ingest = new Ingest({ producer, topics: rt.topics, metrics: rt.metrics, sensor: 'it' });
    for (const f of r.flows ?? []) await ingest.record(f);
    for (const m of r.media ?? []) await ingest.record(m);
    await ingest.flush();
    const rejected = Object.values(ingest.stats.rejected).reduce((a, b) => a + (b ?? 0), 0);
    if (rejected) throw new Error(`the collector rejected ${rejected} generated records: ${JSON.stringify(ingest.stats.rejected)}`);
    const at = (x: { '@timestamp': string }) => Date.parse(x['@timestamp']);
    if (r.findings?.length) await producer.send(rt.topics.name(TOPIC.findings), r.findings.map((f) => encode(f.key.value, f, at(f))));
    // the decisions index holds each decision with its outcome, as the enforcer publishes it
    if (r.decisions?.length) await producer.send(rt.topics.name(TOPIC.decisionOutcomes), r.decisions.map((d) => encode(d.target.value, d, at(d))));
    if (r.audit?.length) await producer.send(rt.topics.name(TOPIC.auditLog), r.audit.map((a) => encode(String(a.sequence), a, at(a))));
  } finally {
    await rt.bus.close();
  }
}
