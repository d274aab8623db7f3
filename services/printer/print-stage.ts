// Findings and decisions to an output stream, each printed once even when the bus re-delivers.
// Decisions are read from decisions.outcomes.v1: a decision is printed once the enforcer has said
// what became of it (applied, refused by which guardrail, the ttl actually applied).
import { decode } from '../core/codec';
import type { Decision, Finding } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { decisionLine, findingLine, humanLine, type DecisionLine, type FindingLine } from './format';

export function printStage(opts: { topics: Topics; json: boolean; write: (line: string) => void; groupId?: string }): StageDefinition {
  const findings = opts.topics.name('findings.v1');
  const printed = new Set<string>();
  return {
    name: 'print',
    groupId: opts.groupId ?? opts.topics.group('print'),
    topics: [findings, opts.topics.name('decisions.outcomes.v1')],
    process(batch) {
      for (const m of batch.messages) {
        let line: FindingLine | DecisionLine;
        try {
          line = batch.topic === findings ? findingLine(decode<Finding>(m)) : decisionLine(decode<Decision>(m));
        } catch {
          continue; // the producing stage validated it; a foreign message is not ours to print
        }
        // a failed decision is retried: its later outcome is news
        const id = line.kind === 'finding' ? `finding:${line.id}` : `decision:${line.id}:${line.outcome === 'failed' ? 'failed' : 'done'}`;
        if (printed.has(id)) continue;
        printed.add(id);
        if (printed.size > 100_000) printed.delete(printed.values().next().value as string);
        opts.write(opts.json ? JSON.stringify(line) : humanLine(line));
      }
    },
  };
}
