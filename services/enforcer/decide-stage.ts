// Findings in, decisions out (keyed by target, the enforcer's partition key).
import { encode } from '../core/codec';
import type { CallsentryConfig } from '../core/config';
import type { Decision, Finding } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { decide } from './decision-policy';
import type { PlatformAddresses } from './platform-addresses';

export function decideStage(opts: { topics: Topics; policy: CallsentryConfig['decisions']; platform?: PlatformAddresses; groupId?: string; onDecision?: (d: Decision) => void }): StageDefinition {
  const output = opts.topics.name('decisions.v1');
  return {
    name: 'decide',
    groupId: opts.groupId ?? opts.topics.group('decide'),
    topics: [opts.topics.name('findings.v1')],
    process(batch, ctx) {
      for (const m of batch.messages) {
        const finding = ctx.decode<Finding>(m);
        if (!finding) continue;
        if (!finding.remediation || !finding.key) {
          ctx.deadLetter(m, 'BAD_RECORD', 'not a finding record');
          continue;
        }
        const d = decide(finding, opts.policy, opts.platform);
        ctx.emit(output, encode(d.target.value, d, Date.parse(d['@timestamp'])));
        opts.onDecision?.(d);
      }
    },
  };
}
