// The verdict service's state as a stage: decisions.v1 and findings.v1 for blocks and flags, the
// by-account flows for calls and spend. Every member reads every partition (a group of its own,
// like the allowlist stage), so any instance behind a load balancer answers for any account; the
// state is still held per partition, so a failed batch drops exactly that partition's state and the
// bus re-delivers it. From flows.sip.v1 (the same flows keyed by source) only BYE and CANCEL are
// read: in-dialog requests carry no credentials, so they seldom reach the by-account topic, and a
// call whose end is never seen would be billed until verdicts.max_call_seconds.
import type { Decision, Finding, SipFlow } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { VerdictState } from './state';

export interface VerdictStageOptions {
  topics: Topics;
  state: VerdictState;
  groupId: string;
  /** a batch was applied (tests wait on it; the service counts it as being fed) */
  onApplied?: (topic: string, records: number) => void;
}

export function verdictStage(o: VerdictStageOptions): StageDefinition {
  const decisions = o.topics.name('decisions.v1');
  const findings = o.topics.name('findings.v1');
  const flows = o.topics.name('flows.sip.by-account.v1');
  const bySource = o.topics.name('flows.sip.v1');
  return {
    name: 'verdict-state',
    groupId: o.groupId,
    topics: [decisions, findings, flows, bySource],
    startAt: 'earliest',
    process(batch, ctx) {
      const st = batch.topic === bySource ? undefined : o.state.partition(batch.topic, batch.partition);
      for (const m of batch.messages) {
        const r = ctx.decode<Record<string, unknown>>(m);
        if (!r || typeof r !== 'object') continue;
        try {
          if (batch.topic === decisions) o.state.applyDecision(st!, r as unknown as Decision);
          else if (batch.topic === findings) o.state.applyFinding(st!, r as unknown as Finding);
          else if (batch.topic === bySource) o.state.applyHangup(r as unknown as SipFlow);
          else if ((r as { sip?: unknown }).sip) o.state.applyFlow(st!, r as unknown as SipFlow);
        } catch (err) {
          // a record of the right topic but the wrong shape: the state stays as it was
          ctx.deadLetter(m, 'BAD_RECORD', `verdict state: ${(err as Error).message}`);
        }
      }
      o.onApplied?.(batch.topic, batch.messages.length);
    },
    onRevoked(topic, partitions) {
      o.state.drop(topic, partitions);
    },
  };
}
