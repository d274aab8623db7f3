// The console's view of the bus: flows, findings, decisions and the audit trail into LiveState.
// Each console process reads with a consumer group of its own, so every console sees everything.
import { decode } from '../core/codec';
import type { AuditEvent, Decision, Finding, SipFlow } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { LiveState } from './live-state';

export function consoleStage(o: { topics: Topics; state: LiveState; groupId: string }): StageDefinition {
  const t = { flows: o.topics.name('flows.sip.v1'), findings: o.topics.name('findings.v1'), decisions: o.topics.name('decisions.v1'), audit: o.topics.name('audit.v1') };
  return {
    name: 'console',
    groupId: o.groupId,
    topics: [t.flows, t.findings, t.decisions, t.audit],
    process(batch) {
      for (const m of batch.messages) {
        let value: unknown;
        try {
          value = decode(m);
        } catch {
          continue; // validated by the stage that wrote it; a foreign message is not the console's to judge
        }
        if (batch.topic === t.flows) {
          // the flow topic also carries malformed-SIP events: only flows are searchable
          if ((value as SipFlow).event?.dataset === 'sip.flow') o.state.flow(value as SipFlow);
        } else if (batch.topic === t.findings) o.state.finding(value as Finding);
        else if (batch.topic === t.decisions) o.state.decision(value as Decision);
        else o.state.auditEvent(value as AuditEvent);
      }
    },
  };
}
