// Which incident pages are active and what needs sending. One alert per incident, its labels fixed
// for its life (alertname, incident, tenant: one Alertmanager fingerprint), so Alertmanager pages
// once and every later send updates the same alert. A version is sent when the incident opens,
// at once when it escalates (severity rises) or reaches a new phase, at most every resend interval
// when it only grew (more findings), and once more with its end at now when it is resolved or
// closed. Decisions, outcomes, notes and acknowledgements change nothing on the page.
//
// A flood from 10,000 forged sources makes 10,000 unlinked incidents: past max_keys_per_group
// incidents of one first detector in a tenant, the rest collapse into one alert with their count.
import type { Incident } from '../core/records';
import { severityRank } from '../incidents/phases';
import { incidentAlert, type Alert, type AlertContext } from './alert';

export interface BookOptions extends AlertContext {
  /** incidents of one first detector in a tenant before they collapse into one alert */
  maxKeysPerGroup: number;
  /** an incident that only grew is sent again at most this often, so its end moves with the attack */
  resendMs: number;
}

interface Progress {
  severity: number;
  phases: number;
  findings: number;
}

interface Entry {
  alert: Alert;
  lastSeen: number;
  revision: number;
  now: Progress;
  /** what the last send that went out showed; undefined: nothing went out yet */
  sent?: Progress & { at: number };
  done: boolean;
}

export class IncidentBook {
  private readonly active = new Map<string, Entry>();
  /** tenant|first detector -> incident ids paged on their own, and those collapsed */
  private sweptAt = -Infinity;
  private readonly groups = new Map<string, { own: Set<string>; collapsed: Map<string, number> }>();

  constructor(private readonly o: BookOptions) {}

  /** The alerts to send now for this incident version (none when nothing worth a send changed); markSent once they are out. */
  observe(i: Incident, now: number): Alert[] {
    this.expire(now);
    const ended = i.closed === true || i.status === 'resolved';
    const group = this.groupOf(i);
    const collapsed = !group.own.has(i.id) && (group.collapsed.has(i.id) || group.own.size >= this.o.maxKeysPerGroup);
    if (collapsed) return this.observeCollapsed(i, now, group, ended);
    const had = this.active.get(i.id);
    if (had && i.revision <= had.revision) return [];
    if (!had && ended) return [];
    group.own.add(i.id);
    const alert = incidentAlert(i, now, this.o, ended);
    const progress: Progress = { severity: severityRank(i.severity), phases: i.phases.length, findings: i.finding_count };
    const sent = had?.sent;
    let due: boolean;
    if (had?.done) due = false;
    // never out (new, or its send failed and the version came back): due
    else if (!sent) due = true;
    else if (ended || progress.severity > sent.severity || progress.phases > sent.phases) due = true;
    else due = progress.findings > sent.findings && now - sent.at >= this.o.resendMs;
    if (had) alert.startsAt = had.alert.startsAt;
    this.active.set(i.id, { alert, lastSeen: due || !had ? now : had.lastSeen, revision: i.revision, now: progress, ...(sent ? { sent } : {}), done: had?.done ?? false });
    return due ? [alert] : [];
  }

  markSent(alerts: Alert[], now: number): void {
    for (const a of alerts) {
      const e = this.active.get(a.labels.incident);
      if (!e) continue;
      e.sent = { ...e.now, at: now };
      if (Date.parse(a.endsAt) <= now) e.done = true;
    }
  }

  activeCount(now: number): number {
    this.expire(now, true);
    let n = 0;
    for (const e of this.active.values()) if (!e.done) n++;
    return n;
  }

  private observeCollapsed(i: Incident, now: number, group: { collapsed: Map<string, number> }, ended: boolean): Alert[] {
    if (ended) {
      group.collapsed.delete(i.id);
      return [];
    }
    const known = group.collapsed.has(i.id);
    group.collapsed.set(i.id, now);
    const alert = incidentAlert(i, now, this.o, false);
    const id = `many:${i.timeline[0]?.rule_id ?? 'unknown'}`;
    alert.labels.incident = id;
    alert.annotations.summary = `${group.collapsed.size} more incidents like ${i.title} in tenant ${alert.labels.tenant}`;
    alert.annotations.description = `${group.collapsed.size} incidents beyond the ${this.o.maxKeysPerGroup} paged on their own, all starting with ${i.timeline[0]?.rule_id}; latest: ${i.title} (incident ${i.id}). callsentry incidents list shows them all.`;
    const had = this.active.get(id);
    if (had) alert.startsAt = had.alert.startsAt;
    const due = !had?.sent || (!known && now - had.sent.at >= this.o.resendMs);
    const count = { severity: 0, phases: 0, findings: group.collapsed.size };
    this.active.set(id, { alert, lastSeen: now, revision: 0, now: count, ...(had?.sent ? { sent: had.sent } : {}), done: false });
    return due ? [alert] : [];
  }

  private groupOf(i: Incident) {
    const key = `${i.organization?.id ?? 'default'}|${i.timeline[0]?.rule_id ?? ''}`;
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { own: new Set(), collapsed: new Map() }));
    return g;
  }

  /** An alert is over once its end has passed; its incident then leaves the groups too. */
  private expire(now: number, always = false): void {
    // a sweep per second of wall time at most: a flood observes many incidents a second
    if (!always && now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [id, e] of this.active) {
      if (now - e.lastSeen < this.o.resolveAfterMs && !(e.done && now - (e.sent?.at ?? now) >= this.o.resolveAfterMs)) continue;
      this.active.delete(id);
      for (const g of this.groups.values()) g.own.delete(id);
    }
    for (const [k, g] of this.groups) {
      for (const [id, t] of g.collapsed) if (now - t >= this.o.resolveAfterMs) g.collapsed.delete(id);
      if (g.own.size === 0 && g.collapsed.size === 0) this.groups.delete(k);
    }
  }
}
