// Decisions in; guardrails; then every configured actuator. Idempotent by decision id.
import { decode } from '../core/codec';
import type { Decision } from '../core/records';
import type { Actuator, Logger } from '../core/ports';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { MetricsRegistry } from '../core/metrics';
import type { Guardrails } from './guardrails';

export interface EnforceStageOptions {
  topics: Topics;
  guardrails: Guardrails;
  actuators: Actuator[];
  metrics: MetricsRegistry;
  log: Logger;
  groupId?: string;
  /** decision ids already applied (bounded); a replayed decision changes nothing twice */
  seenLimit?: number;
}

export function enforceStage(opts: EnforceStageOptions): StageDefinition {
  const applied = opts.metrics.counter('callsentry_decisions_applied_total', 'Decisions applied, by actuator and action');
  const refused = opts.metrics.counter('callsentry_decisions_refused_total', 'Decisions refused by a guardrail');
  const failed = opts.metrics.counter('callsentry_actuator_failures_total', 'Actuator failures, by actuator');
  const seen = new Set<string>();
  const limit = opts.seenLimit ?? 100_000;
  const log = opts.log.child({ stage: 'enforce' });

  return {
    name: 'enforce',
    groupId: opts.groupId ?? opts.topics.group('enforce'),
    topics: [opts.topics.name('decisions.v1')],
    async process(batch, ctx) {
      const todo: Decision[] = [];
      const inBatch = new Set<string>();
      for (const m of batch.messages) {
        let d: Decision;
        try {
          d = decode<Decision>(m);
        } catch (err) {
          ctx.deadLetter(m, 'BAD_JSON', (err as Error).message);
          continue;
        }
        if (!d.id || !d.target) {
          ctx.deadLetter(m, 'BAD_RECORD', 'not a decision record');
          continue;
        }
        // once per decision id, also when a batch carries it twice (a replay, a re-delivery)
        if (seen.has(d.id) || inBatch.has(d.id)) continue;
        inBatch.add(d.id);
        const verdict = opts.guardrails.check(d);
        if (!verdict.allow) {
          refused.inc({ guardrail: verdict.guardrail });
          log.warn({ decision: d.id, target: d.target, guardrail: verdict.guardrail, reason: verdict.reason }, 'decision refused by guardrail');
          remember(d.id);
          continue;
        }
        todo.push(d);
      }
      if (todo.length === 0) return;
      for (const actuator of opts.actuators) {
        // each enforcement point gets the decisions of its scope; alert-only decisions change nothing
        const mine = todo.filter((d) => d.action !== 'alert-only' && (!actuator.scopes || actuator.scopes.includes(d.scope)));
        if (mine.length === 0) continue;
        const results = await actuator.apply(mine);
        for (const r of results) {
          const d = mine.find((x) => x.id === r.decisionId);
          if (r.ok) applied.inc({ actuator: actuator.name, action: d?.action ?? 'unknown' });
          else {
            failed.inc({ actuator: actuator.name });
            log.error({ actuator: actuator.name, decision: r.decisionId, detail: r.detail }, 'actuator failed');
          }
        }
      }
      for (const d of todo) remember(d.id);
    },
  };

  function remember(id: string): void {
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
  }
}
