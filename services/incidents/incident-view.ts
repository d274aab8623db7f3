// The incidents as the operator API shows them: the latest version of each, read from incidents.v1
// (compacted) by every API process under a group of its own. Bounded: past `max` incidents, the
// closed and resolved ones that were quiet longest leave first.
import { randomUUID } from 'node:crypto';
import { validateIncident } from '../core/validate';
import type { Incident, IncidentStatus, Severity } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { severityRank } from './phases';

export interface IncidentFilter {
  /** last_seen at or after (epoch ms) */
  since?: number;
  status?: IncidentStatus[];
  /** the lowest severity */
  severity?: Severity;
  /** `type:value` */
  key?: string;
  limit?: number;
}

export class IncidentView {
  private readonly byId = new Map<string, Incident>();

  constructor(private readonly max = 50_000) {}

  get size(): number {
    return this.byId.size;
  }

  /** Keeps the version with the highest revision. */
  put(i: Incident): void {
    const had = this.byId.get(i.id);
    if (had && had.revision >= i.revision) return;
    this.byId.delete(i.id);
    this.byId.set(i.id, i);
    while (this.byId.size > this.max) this.evictOne();
  }

  get(id: string): Incident | undefined {
    return this.byId.get(id);
  }

  /** Matching incidents, the latest last_seen first. */
  list(f: IncidentFilter = {}): Incident[] {
    const out: Incident[] = [];
    for (const i of this.byId.values()) {
      if (f.since !== undefined && Date.parse(i.last_seen) < f.since) continue;
      if (f.status && !f.status.includes(i.status)) continue;
      if (f.severity && severityRank(i.severity) < severityRank(f.severity)) continue;
      if (f.key && !i.keys.some((k) => `${k.type}:${k.value}` === f.key)) continue;
      out.push(i);
    }
    out.sort((a, b) => Date.parse(b.last_seen) - Date.parse(a.last_seen) || a.id.localeCompare(b.id));
    return out.slice(0, f.limit ?? 100);
  }

  private evictOne(): void {
    // least recently written first (Map order); a closed or resolved one before any other
    for (const [id, i] of this.byId) {
      if (i.closed || i.status === 'resolved') {
        this.byId.delete(id);
        return;
      }
    }
    this.byId.delete(this.byId.keys().next().value!);
  }
}

/** A reader of incidents.v1 into a view: from the start of the topic, a group of its own. */
export function incidentViewStage(o: { topics: Topics; view: IncidentView; groupId: string }): StageDefinition {
  return {
    name: 'incident-view',
    groupId: `${o.groupId}-${randomUUID()}`,
    topics: [o.topics.name('incidents.v1')],
    process(batch, ctx) {
      for (const m of batch.messages) {
        const i = ctx.decode<Incident>(m);
        if (i && validateIncident(i)) o.view.put(i);
      }
    },
  };
}
