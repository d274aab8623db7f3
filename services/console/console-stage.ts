// The console's view of the bus: flows, findings, decisions (with their outcomes, from
// decisions.outcomes.v1) and the audit trail into LiveState.
// Each console process reads with consumer groups of its own, so every console sees everything:
// the events (findings, decisions, audit) from the beginning of their retention, so a console
// started during an incident shows it; the flows only from now on, since replaying hours of flow
// records into a search ring of the last N would take long and keep only the tail anyway.
import { decode } from '../core/codec';
import type { AuditEvent, Decision, Finding, SipFlow } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import type { LiveState } from './live-state';

export function consoleStages(o: { topics: Topics; state: LiveState; groupId: string }): StageDefinition[] {
  const t = { flows: o.topics.name('flows.sip.v1'), findings: o.topics.name('findings.v1'), decisions: o.topics.name('decisions.outcomes.v1'), audit: o.topics.name('audit.v1') };
  const read = reader(o.state, t);
  return [
    { name: 'console', groupId: o.groupId, topics: [t.findings, t.decisions, t.audit], process: read },
    { name: 'console-flows', groupId: `${o.groupId}-flows`, topics: [t.flows], startAt: 'latest', process: read },
  ];
}

function reader(state: LiveState, t: Record<'flows' | 'findings' | 'decisions' | 'audit', string>): StageDefinition['process'] {
  return (batch) => {
    for (const m of batch.messages) {
      let value: unknown;
      try {
        value = decode(m);
      } catch {
        continue; // validated by the stage that wrote it; a foreign message is not the console's to judge
      }
      if (batch.topic === t.flows) {
        // the flow topic also carries malformed-SIP events: only flows are searchable
        if ((value as SipFlow).event?.dataset === 'sip.flow') state.flow(value as SipFlow);
      } else if (batch.topic === t.findings) state.finding(value as Finding);
      else if (batch.topic === t.decisions) state.decision(value as Decision);
      else state.auditEvent(value as AuditEvent);
    }
  };
}
