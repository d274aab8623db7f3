// Which topics are indexed, as which kind, under which id. The id is the record's own stable id,
// so a re-delivered or replayed record is the same document. flows.sip.by-account.v1 is a copy
// of flows.sip.v1 (keyed by account) and is not indexed twice.
import type { BusMessage, IndexDocument, IndexKind } from '../core/ports';
import type { ErrorCode } from '../core/errors';
import { TOPIC, type TopicName, type Topics } from '../core/topics';
import { enrichChargedAccount } from './enrich';

interface Source {
  topic: TopicName;
  kind: IndexKind;
  id(record: Record<string, any>): unknown;
  /** adds derived fields; true when the record changed (then it is serialized again) */
  enrich?(record: Record<string, any>): boolean;
}

export const INDEXED: readonly Source[] = [
  { topic: TOPIC.sipFlows, kind: 'flows-sip', id: (r) => r.event?.id, enrich: enrichChargedAccount },
  { topic: TOPIC.mediaFlows, kind: 'flows-media', id: (r) => r.event?.id },
  { topic: TOPIC.findings, kind: 'findings', id: (r) => r.event?.id },
  // each decision once, with what the enforcer made of it (outcome.*): the copy on decisions.v1
  // would be the same document without its outcome
  { topic: TOPIC.decisionOutcomes, kind: 'decisions', id: (r) => r.id },
  // the chained trail (audit.log.v1), not the raw events: what is searchable is what is signed;
  // the entry's hash is the id: content-addressed, two different entries never share a document
  { topic: TOPIC.auditLog, kind: 'audit', id: (r) => r.hash },
];

export type Converted = { doc: IndexDocument } | { code: ErrorCode; detail: string };

/** Maps a message of an indexed topic to its document, or to a dead-letter reason. */
export function toDocument(source: Source, m: BusMessage): Converted {
  const text = m.value.toString('utf8');
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return { code: 'BAD_JSON', detail: `not JSON: ${(err as Error).message}` };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return { code: 'BAD_RECORD', detail: 'not a JSON object' };
  const r = record as Record<string, unknown>;
  const id = source.id(r);
  if (typeof id !== 'string' || id.length === 0 || id.length > 512) return { code: 'BAD_RECORD', detail: `no usable document id for ${source.kind}` };
  const timestamp = typeof r['@timestamp'] === 'string' ? Date.parse(r['@timestamp']) : NaN;
  if (!Number.isFinite(timestamp)) return { code: 'BAD_RECORD', detail: '@timestamp missing or not a date' };
  return { doc: { kind: source.kind, id, timestamp, source: source.enrich?.(r) ? JSON.stringify(r) : text } };
}

/** The source definition of each full topic name under a prefix. */
export function sourcesByTopic(topics: Topics): Map<string, Source> {
  return new Map(INDEXED.map((s) => [topics.name(s.topic), s]));
}
