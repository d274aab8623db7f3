// Incidents as alerts, in Alertmanager's v2 shape: labels identify the page for the incident's
// whole life (alertname, incident, tenant), annotations carry what an on-call engineer needs to act
// (summary, severity, phases, the evidence, the decisions, the runbook). Pure.
import type { Incident, IncidentPhase } from '../core/records';

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export interface AlertContext {
  /** where docs/runbooks/<family>.md is served */
  runbookBaseUrl: string;
  /** an alert resolves this long after the last send that refreshed it */
  resolveAfterMs: number;
}

export const INCIDENT_ALERT = 'CallsentryIncident';

/** The runbook family of a phase (docs/runbooks/<family>.md). */
const FAMILY: Record<IncidentPhase, string> = { scan: 'recon', enumeration: 'recon', 'brute-force': 'credential', compromise: 'credential', fraud: 'fraud', flood: 'dos', policy: 'policy' };

export function tenantOf(i: Pick<Incident, 'organization'>): string {
  return i.organization?.id ?? 'default';
}

/** The furthest phase of the attack proper (scan to fraud), else the first one: what the runbook is about. */
function leadPhase(i: Incident): IncidentPhase {
  const attack = i.phases.filter((p) => FAMILY[p] !== 'dos' && FAMILY[p] !== 'policy');
  return attack.at(-1) ?? i.phases[0] ?? 'flood';
}

/** `ended`: resolved or closed, so the alert ends now. */
export function incidentAlert(i: Incident, now: number, ctx: AlertContext, ended: boolean): Alert {
  const keys = i.keys.map((k) => `${k.type}:${k.value}`);
  const detectors = [...new Set(i.timeline.map((e) => e.rule_id))];
  const decisions = i.decisions.map((d) => `${d.action} ${d.target.value} (${d.outcome ?? 'pending'})`);
  return {
    labels: { alertname: INCIDENT_ALERT, incident: i.id, tenant: tenantOf(i) },
    annotations: {
      summary: `${i.severity} incident: ${i.title}`,
      severity: i.severity,
      phases: i.phases.join(', '),
      status: i.status,
      description:
        `${i.finding_count} finding(s) from ${i.first_seen} to ${i.last_seen}: ${detectors.slice(0, 8).join(', ')}. ` +
        `Keys: ${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ` and ${keys.length - 10} more` : ''}. ` +
        `Decisions: ${decisions.slice(0, 5).join(', ') || 'none yet'}. callsentry incidents show ${i.id}`,
      runbook_url: `${ctx.runbookBaseUrl.replace(/\/$/, '')}/${FAMILY[leadPhase(i)]}.md`,
      incident_id: i.id,
    },
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(ended ? now : now + ctx.resolveAfterMs).toISOString(),
  };
}
