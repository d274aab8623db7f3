// The incidents stage: findings, decisions, their audited outcomes and the operators' incident
// actions in; every changed incident out to incidents.v1 (compacted, keyed by incident id). It
// correlates across every key, so it runs as one instance (docs/incidents.md): its group's
// partitions all land on it. An action on an incident it no longer holds is applied to the
// incident's latest version, read back from incidents.v1.
import { encode } from '../core/codec';
import type { IncidentSettings } from '../core/config';
import type { AuditEvent, Decision, Finding, Incident, IncidentAction } from '../core/records';
import type { MetricsRegistry } from '../core/metrics';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { decode } from '../core/codec';
import { validateFinding, validateIncident, validateIncidentAction } from '../core/validate';
import { Correlator } from './correlator';

export interface IncidentStageOptions {
  topics: Topics;
  settings: IncidentSettings;
  metrics: MetricsRegistry;
  groupId?: string;
  onIncident?: (i: Incident) => void;
}

export function incidentStage(o: IncidentStageOptions): StageDefinition {
  const correlator = new Correlator(o.settings);
  const t = {
    findings: o.topics.name('findings.v1'),
    decisions: o.topics.name('decisions.v1'),
    audit: o.topics.name('audit.v1'),
    actions: o.topics.name('incidents.actions.v1'),
    incidents: o.topics.name('incidents.v1'),
  };
  const written = o.metrics.counter('callsentry_incident_versions_total', 'Incident versions written, by status');
  const held = o.metrics.gauge('callsentry_incidents_held', 'Incidents the incidents stage holds in memory');
  return {
    name: 'incidents',
    groupId: o.groupId ?? o.topics.group('incidents'),
    topics: [t.findings, t.decisions, t.audit, t.actions],
    stateTopics: [t.incidents],
    async process(batch, ctx) {
      const out = new Map<string, Incident>();
      const keep = (list: Incident[]) => {
        for (const i of list) out.set(i.id, i);
      };
      for (const m of batch.messages) {
        if (batch.topic === t.findings) {
          const f = ctx.decode<Finding>(m);
          if (!f) continue;
          if (!validateFinding(f)) {
            ctx.deadLetter(m, 'BAD_RECORD', validateFinding.lastError());
            continue;
          }
          keep(correlator.finding(f));
        } else if (batch.topic === t.decisions) {
          const d = ctx.decode<Decision>(m);
          if (d && Array.isArray(d.finding_ids) && d.target && d.id) keep(correlator.decision(d));
        } else if (batch.topic === t.audit) {
          const e = ctx.decode<AuditEvent>(m);
          if (e && typeof e.id === 'string' && typeof e.result === 'string') keep(correlator.audit(e));
        } else if (batch.topic === t.actions) {
          const a = ctx.decode<IncidentAction>(m);
          if (!a) continue;
          if (!validateIncidentAction(a)) {
            ctx.deadLetter(m, 'BAD_RECORD', validateIncidentAction.lastError());
            continue;
          }
          const restored = correlator.get(a.incident_id) ? undefined : await latest(a.incident_id);
          keep(correlator.action(a, restored));
        }
      }
      for (const i of out.values()) {
        ctx.emit(t.incidents, encode(i.id, i, Date.parse(i['@timestamp'])));
        written.inc({ status: i.closed ? 'closed' : i.status });
        o.onIncident?.(i);
      }
      held.set({}, correlator.size);

      async function latest(id: string): Promise<Incident | undefined> {
        const m = await ctx.latestState(t.incidents, id);
        if (!m?.value) return undefined;
        try {
          const i = decode<Incident>(m);
          return validateIncident(i) ? i : undefined;
        } catch {
          return undefined;
        }
      }
    },
  };
}
