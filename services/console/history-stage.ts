// Findings and decisions with their outcomes into History, for the process serving the operator API.
// A group of its own per process (every API process knows everything) from the start of retention,
// so a restarted enforcer answers about the hours before it started, as far as api.history_size goes.
import { decode } from '../core/codec';
import type { Decision, Finding } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { History } from './history';

export function historyStage(o: { topics: Topics; history: History; groupId: string }): StageDefinition {
  const findings = o.topics.name('findings.v1');
  return {
    name: 'history',
    groupId: o.groupId,
    topics: [findings, o.topics.name('decisions.outcomes.v1')],
    process(batch) {
      for (const m of batch.messages) {
        let value: Record<string, any>;
        try {
          value = decode(m);
        } catch {
          continue; // the producing stage validated it; a foreign message is not ours to judge
        }
        if (batch.topic === findings) {
          if (value?.event?.id && value.rule?.id && value.key) o.history.finding(value as Finding);
        } else if (value?.id && value.target && Array.isArray(value.finding_ids)) o.history.decision(value as Decision);
      }
    },
  };
}
