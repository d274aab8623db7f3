// findings.v1, decisions.v1, audit.v1 and incidents.v1 in; each record becomes one chained audit
// entry (an incident version only when it opens, escalates, reaches a phase, changes status or
// assignee, merges or closes). Records that are not what their topic says go to the dead-letter
// topic, never silently away.
import { decode, encode } from '../core/codec';
import type { BusMessage, BusProducer } from '../core/ports';
import type { AuditEntry } from '../core/records';
import type { StageContext, StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { validateAuditEvent, validateDecision, validateFinding, validateIncident, type RecordValidator } from '../core/validate';
import type { ChainHead, EntryDraft } from './chain';
import { HEAD_HASH_HEADER, HEAD_SEQUENCE_HEADER } from './chain-marks';
import type { ChainWriter } from './chain-writer';
import { decisionDraft, eventDraft, findingDraft, incidentDraft } from './drafts';

export interface AuditStageOptions {
  topics: Topics;
  writer: ChainWriter;
  groupId?: string;
}

export function auditStage(opts: AuditStageOptions): StageDefinition {
  const inputs = new Map<string, (m: BusMessage, ctx: StageContext) => EntryDraft | undefined>([
    [opts.topics.name('findings.v1'), (m, ctx) => draft(m, ctx, validateFinding, findingDraft)],
    [opts.topics.name('decisions.v1'), (m, ctx) => draft(m, ctx, validateDecision, decisionDraft)],
    [opts.topics.name('audit.v1'), (m, ctx) => draft(m, ctx, validateAuditEvent, eventDraft)],
    [opts.topics.name('incidents.v1'), (m, ctx) => draft(m, ctx, validateIncident, incidentDraft)],
  ]);
  return {
    name: 'audit',
    groupId: opts.groupId ?? opts.topics.group('audit'),
    topics: [...inputs.keys()],
    async process(batch, ctx) {
      const toDraft = inputs.get(batch.topic)!;
      const drafts: EntryDraft[] = [];
      for (const m of batch.messages) {
        const d = toDraft(m, ctx);
        if (d) drafts.push(d);
      }
      // durable before this returns, so the bus commits only what is on disk
      if (drafts.length) await opts.writer.write(drafts);
    },
  };
}

function draft<T>(m: BusMessage, ctx: StageContext, valid: RecordValidator<T>, toDraft: (r: T) => EntryDraft | undefined): EntryDraft | undefined {
  let value: unknown;
  try {
    value = decode<unknown>(m);
  } catch (err) {
    ctx.deadLetter(m, 'BAD_JSON', (err as Error).message);
    return undefined;
  }
  if (!valid(value)) {
    ctx.deadLetter(m, 'BAD_RECORD', valid.lastError());
    return undefined;
  }
  return toDraft(value);
}

/**
 * Chained entries to audit.log.v1 (one partition, keyed by sequence) for the search index. Each
 * message also says where the chain stood (headers): the writer reads the last one on start.
 */
export function publishToLogTopic(producer: BusProducer, topics: Topics): (entries: AuditEntry[], head: ChainHead) => Promise<void> {
  const topic = topics.name('audit.log.v1');
  return (entries, head) => {
    const headers = { [HEAD_SEQUENCE_HEADER]: String(head.nextSequence - 1), [HEAD_HASH_HEADER]: head.lastHash };
    return producer.send(topic, entries.map((e) => encode(String(e.sequence), e, Date.parse(e.recorded_at), headers)));
  };
}
