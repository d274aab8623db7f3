// Incidents in, pages out to every sink their route names: one alert per incident, sent when it
// opens, escalates or grows (incident-book.ts). A sink that stays down fails the batch, which is
// re-delivered: alerts are late, never lost. Wall-clock time: an alert is about now, also when a
// replay of an old capture produced the incident.
import type { Clock } from '../core/clock';
import type { MetricsRegistry } from '../core/metrics';
import type { Incident } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { validateIncident } from '../core/validate';
import type { Alert } from './alert';
import { IncidentBook, type BookOptions } from './incident-book';
import { sinksFor, type Route } from './routes';
import type { AlertSink } from './sink';

export interface AlertStageOptions {
  topics: Topics;
  sinks: AlertSink[];
  routes: Route[];
  book: BookOptions;
  clock: Clock;
  metrics: MetricsRegistry;
  groupId?: string;
}

export function alertStage(o: AlertStageOptions): StageDefinition {
  const book = new IncidentBook(o.book);
  const sent = o.metrics.counter('callsentry_alerts_sent_total', 'Alerts sent, by sink and severity');
  const active = o.metrics.gauge('callsentry_alerts_active', 'Alerts the alerting stage holds active');
  const names = o.sinks.map((s) => s.name);
  return {
    name: 'alert',
    groupId: o.groupId ?? o.topics.group('alert'),
    topics: [o.topics.name('incidents.v1')],
    async process(batch, ctx) {
      const now = o.clock.now();
      // the latest version of each alert due in this batch
      const due = new Map<string, Alert>();
      for (const m of batch.messages) {
        const i = ctx.decode<Incident>(m);
        if (!i) continue;
        if (!validateIncident(i)) {
          ctx.deadLetter(m, 'BAD_RECORD', validateIncident.lastError());
          continue;
        }
        for (const a of book.observe(i, now)) due.set(a.labels.incident, a);
      }
      const bySink = new Map<string, Alert[]>(names.map((n) => [n, []]));
      for (const a of due.values()) for (const s of sinksFor(a, o.routes, names)) bySink.get(s)?.push(a);
      for (const sink of o.sinks) {
        const alerts = bySink.get(sink.name)!;
        await sink.send(alerts);
        for (const a of alerts) sent.inc({ sink: sink.name, severity: a.annotations.severity });
      }
      book.markSent([...due.values()], now);
      active.set({}, book.activeCount(now));
    },
  };
}
