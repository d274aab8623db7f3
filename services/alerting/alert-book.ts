// Which alerts are active and what needs sending. A finding refreshes its alert (one per detector
// and key), so an ongoing attack is one alert whose end keeps moving; an alert is sent again only
// when new or when its end must be pushed out. When one detector fires for more keys in a tenant
// than a page can hold (a flood from 10,000 forged sources), the keys collapse into one alert for
// the detector with their count: a handful of pages, not 10,000.
import type { Finding } from '../core/records';
import { findingAlert, tenantOf, type Alert, type AlertContext } from './alert';

export interface BookOptions extends AlertContext {
  /** distinct keys per detector and tenant before they collapse into one alert */
  maxKeysPerGroup: number;
  /** an unchanged active alert is sent again after this long, so its end moves with the attack */
  resendMs: number;
}

interface Entry {
  alert: Alert;
  sentAt: number;
  lastSeen: number;
}

export class AlertBook {
  private readonly active = new Map<string, Entry>();
  /** detector+tenant -> keys active in it (in their own alerts or collapsed) */
  private readonly groups = new Map<string, Map<string, number>>();

  constructor(private readonly o: BookOptions) {}

  /** The alerts to send now for this finding (none when a recent send already covers it); markSent once they are out. */
  observe(f: Finding, now: number): Alert[] {
    this.expire(now);
    const group = `${f.rule.id}|${tenantOf(f)}`;
    let keys = this.groups.get(group);
    if (!keys) this.groups.set(group, (keys = new Map()));
    const key = `${f.key.type}:${f.key.value}`;
    keys.set(key, now);
    const alert = findingAlert(f, now, this.o);
    if (keys.size > this.o.maxKeysPerGroup) {
      alert.labels.key = 'many';
      alert.annotations.summary = `${f.rule.name}: ${keys.size} ${f.key.type} keys in tenant ${tenantOf(f)}`;
      alert.annotations.description = `${keys.size} distinct keys within the last ${Math.round(this.o.resolveAfterMs / 1000)}s, e.g. ${[...keys.keys()].slice(-5).join(', ')}. Latest: ${alert.annotations.description}`;
    }
    const id = fingerprint(alert);
    const had = this.active.get(id);
    if (had) alert.startsAt = had.alert.startsAt;
    const due = !had || now - had.sentAt >= this.o.resendMs;
    // a send that failed leaves sentAt as it was: the re-delivered finding makes the alert due again
    this.active.set(id, { alert, sentAt: had?.sentAt ?? -Infinity, lastSeen: now });
    return due ? [alert] : [];
  }

  markSent(alerts: Alert[], now: number): void {
    for (const a of alerts) {
      const e = this.active.get(fingerprint(a));
      if (e) e.sentAt = now;
    }
  }

  activeCount(now: number): number {
    this.expire(now);
    return this.active.size;
  }

  private expire(now: number): void {
    for (const [id, e] of this.active) if (now - e.lastSeen >= this.o.resolveAfterMs) this.active.delete(id);
    for (const [g, keys] of this.groups) {
      for (const [k, t] of keys) if (now - t >= this.o.resolveAfterMs) keys.delete(k);
      if (keys.size === 0) this.groups.delete(g);
    }
  }
}

export function fingerprint(a: Alert): string {
  return Object.keys(a.labels).sort().map((k) => `${k}=${a.labels[k]}`).join(',');
}
