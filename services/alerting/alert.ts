// Findings as alerts, in Alertmanager's v2 shape: labels identify an alert (detector, key, tenant,
// severity), annotations carry what an on-call engineer needs to act (summary, the evidence, the
// runbook). Pure.
import type { Finding } from '../core/records';

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
  /** an alert resolves this long after the last finding that refreshed it */
  resolveAfterMs: number;
}

/** `CallsentrySipRequestFlood` from `sip/request-flood`: alert names are identifiers. */
export function alertName(ruleId: string): string {
  return 'Callsentry' + ruleId.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

export function tenantOf(f: Finding): string {
  return f.organization?.id ?? 'default';
}

export function findingAlert(f: Finding, now: number, ctx: AlertContext): Alert {
  const evidence = Object.entries(f.counts).map(([k, v]) => `${k}=${v}`).join(', ');
  return {
    labels: { alertname: alertName(f.rule.id), severity: f.severity, detector: f.rule.id, family: f.rule.category, tenant: tenantOf(f), key: `${f.key.type}:${f.key.value}` },
    annotations: {
      summary: `${f.rule.name}: ${f.key.type} ${f.key.value}`,
      description: `${f.rule.description ?? f.rule.name}. Evidence: ${evidence} in ${f.window.seconds}s (${f.first_seen} to ${f.last_seen}); sample records ${f.evidence.record_ids.slice(0, 5).join(', ') || 'none'}. Remedy proposed: ${f.remediation}.`,
      runbook_url: `${ctx.runbookBaseUrl.replace(/\/$/, '')}/${f.rule.category}.md`,
      finding_id: f.event.id,
    },
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + ctx.resolveAfterMs).toISOString(),
  };
}
