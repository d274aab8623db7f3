// The index stage: flows, findings, decisions and audit entries in, Elasticsearch documents out.
// A batch resolves only after Elasticsearch acknowledged every document of it (or refused it for
// good: then it goes to <topic>.dlq with INDEX_REJECTED and the reason), so the bus commits
// offsets only for what is stored. When Elasticsearch stays down the batch fails and is
// re-delivered; document ids make that, and any replay, idempotent. Meanwhile the stage tells the
// bus it is alive, so a long outage does not cost the member its partitions.
import type { BusMessage, DocumentIndex, IndexDocument } from '../core/ports';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { sourcesByTopic, toDocument } from './documents';

export interface IndexStageOptions {
  topics: Topics;
  index: DocumentIndex;
  groupId?: string;
}

export function indexStage(opts: IndexStageOptions): StageDefinition {
  const sources = sourcesByTopic(opts.topics);
  return {
    name: 'index',
    groupId: opts.groupId ?? opts.topics.group('index'),
    topics: [...sources.keys()],
    async process(batch, ctx) {
      const source = sources.get(batch.topic);
      if (!source) {
        for (const m of batch.messages) ctx.deadLetter(m, 'UNKNOWN_TOPIC', `the indexer does not index ${batch.topic}`);
        return;
      }
      const docs: IndexDocument[] = [];
      const messages: BusMessage[] = [];
      for (const m of batch.messages) {
        const c = toDocument(source, m);
        if ('doc' in c) {
          docs.push(c.doc);
          messages.push(m);
        } else ctx.deadLetter(m, c.code, c.detail);
      }
      if (docs.length === 0) return;
      // while Elasticsearch is retried the batch may take minutes: the bus keeps the member in its group
      const report = await opts.index.write(docs);
      for (const r of report.rejected) ctx.deadLetter(messages[r.position], 'INDEX_REJECTED', r.reason);
    },
  };
}
