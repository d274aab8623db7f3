// Daily indices named by the record's event time (UTC): `<prefix>callsentry-<kind>-YYYY.MM.DD`.
// The test distribution has neither ILM nor data streams, so names carry the day and retention
// deletes whole indices (see retention.ts).
import type { IndexKind } from '../../core/ports';

export const INDEX_KINDS: readonly IndexKind[] = ['flows-sip', 'flows-media', 'findings', 'decisions', 'audit', 'evidence-sip', 'incidents'];

const DAY_MS = 86_400_000;

export function indexBase(prefix: string, kind: IndexKind): string {
  return `${prefix}callsentry-${kind}`;
}

export function dailyIndex(prefix: string, kind: IndexKind, timestampMs: number): string {
  const d = new Date(timestampMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${indexBase(prefix, kind)}-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}

/** The start of the day an index of ours holds (epoch ms), or undefined for any other name. */
export function indexDay(prefix: string, name: string): number | undefined {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped}callsentry-(?:${INDEX_KINDS.join('|')})-(\\d{4})\\.(\\d{2})\\.(\\d{2})$`).exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Indices past retention: every record in them is older than `days` (the day ended that long ago)
 * and the index itself was created that long ago. The second rule keeps a replay of an old capture
 * searchable for the retention period after the replay instead of deleting it within the hour.
 */
export function expiredIndices(prefix: string, indices: Array<{ name: string; createdMs: number }>, nowMs: number, days: number): string[] {
  const cutoff = nowMs - days * DAY_MS;
  return indices
    .filter((i) => {
      const day = indexDay(prefix, i.name);
      return day !== undefined && day + DAY_MS <= cutoff && i.createdMs <= cutoff;
    })
    .map((i) => i.name)
    .sort();
}
