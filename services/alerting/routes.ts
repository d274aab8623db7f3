// Which sinks an alert goes to, by severity and tenant (alerting.routes); the first matching route
// wins. No routes: every sink gets every alert.
import type { Alert } from './alert';

export interface Route {
  severity?: string[];
  tenant?: string[];
  sinks: string[];
}

export function sinksFor(a: Alert, routes: Route[], allSinks: string[]): string[] {
  if (routes.length === 0) return allSinks;
  // an incident's severity is an annotation: it rises on the same alert, whose labels never change
  const severity = a.labels.severity ?? a.annotations.severity;
  const r = routes.find((x) => (!x.severity || x.severity.includes(severity)) && (!x.tenant || x.tenant.includes(a.labels.tenant)));
  return r?.sinks ?? [];
}
