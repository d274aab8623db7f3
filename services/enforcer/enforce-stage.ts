// Decisions in; the enforcer (guardrails, then actuators); every outcome out to the audit topic,
// and each decision with its outcome to decisions.outcomes.v1 (what printers and consoles show).
// Idempotent by decision id: a replayed or re-delivered decision changes nothing twice.
import { encode } from '../core/codec';
import type { Decision } from '../core/records';
import type { Logger } from '../core/ports';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { outcomeEvent } from './audit-events';
import { outcomeRecord } from './outcome-record';
import type { Enforcer } from './enforcer';

export interface EnforceStageOptions {
  topics: Topics;
  enforcer: Enforcer;
  log: Logger;
  /** names this enforcer in audit entries */
  enforcerId?: string;
  groupId?: string;
  /** decision ids already applied (bounded); a replayed decision changes nothing twice */
  seenLimit?: number;
  onOutcome?: (o: Awaited<ReturnType<Enforcer['enforce']>>[number]) => void;
  /** the enforcer's clock (outcome.at); default: the wall clock */
  now?: () => number;
}

export function enforceStage(opts: EnforceStageOptions): StageDefinition {
  const seen = new Set<string>();
  const limit = opts.seenLimit ?? 100_000;
  const audit = opts.topics.name('audit.v1');
  const outcomesTopic = opts.topics.name('decisions.outcomes.v1');
  const enforcerId = opts.enforcerId ?? 'enforcer';

  return {
    name: 'enforce',
    groupId: opts.groupId ?? opts.topics.group('enforce'),
    topics: [opts.topics.name('decisions.v1')],
    async process(batch, ctx) {
      const todo: Decision[] = [];
      const inBatch = new Set<string>();
      for (const m of batch.messages) {
        const d = ctx.decode<Decision>(m);
        if (!d) continue;
        if (!d.id || !d.target || !d.action) {
          ctx.deadLetter(m, 'BAD_RECORD', 'not a decision record');
          continue;
        }
        // once per decision id, also when a batch carries it twice (a replay, a re-delivery)
        if (seen.has(d.id) || inBatch.has(d.id)) continue;
        inBatch.add(d.id);
        todo.push(d);
      }
      if (todo.length === 0) return;
      const outcomes = await opts.enforcer.enforce(todo);
      for (const o of outcomes) {
        const e = outcomeEvent(o, enforcerId, o.decision['@timestamp']);
        ctx.emit(audit, encode(o.decision.target.value, e, Date.parse(e['@timestamp'])));
        const r = outcomeRecord(o, enforcerId, opts.now?.() ?? Date.now());
        ctx.emit(outcomesTopic, encode(r.target.value, r, Date.parse(r['@timestamp'])));
        opts.onOutcome?.(o);
        // a failed decision is not remembered: a re-delivery retries it
        if (o.result !== 'failed') remember(o.decision.id);
      }
    },
  };

  function remember(id: string): void {
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
  }
}
