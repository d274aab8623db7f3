// The entries of an export, as NDJSON (the canonical lines of the log) or CSV (one column per
// field), and back: verify reads either into the entries that were hashed.
import type { AuditEntry } from '../core/records';
import { canonicalJson } from './canonical';
import { csvHeader, csvRow, parseCsv, uncell } from './csv';

export type ExportFormat = 'csv' | 'ndjson';

export const CSV_COLUMNS = ['sequence', '@timestamp', 'recorded_at', 'source_id', 'actor.type', 'actor.id', 'what', 'why', 'result', 'ref.kind', 'ref.id', 'ticket', 'outcome', 'hash_prev', 'hash'] as const;

export function entriesFileName(format: ExportFormat): string {
  return `entries.${format}`;
}

export function header(format: ExportFormat): string {
  return format === 'csv' ? csvHeader(CSV_COLUMNS) : '';
}

export function formatEntry(e: AuditEntry, format: ExportFormat): string {
  if (format === 'ndjson') return canonicalJson(e) + '\n';
  return csvRow([String(e.sequence), e['@timestamp'], e.recorded_at, e.source_id, e.actor.type, e.actor.id, e.what, e.why, e.result, e.ref?.kind ?? '', e.ref?.id ?? '', e.ticket ?? '', e.outcome ?? '', e.hash_prev, e.hash]);
}

/** One parsed record per entry, or why it is not one. Values are not checked here: the chain check does that. */
export type ParsedEntry = { value: unknown; line: number } | { error: string; line: number };

export function parseEntries(text: string, format: ExportFormat): ParsedEntry[] {
  return format === 'ndjson' ? parseNdjson(text) : parseCsvEntries(text);
}

function parseNdjson(text: string): ParsedEntry[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => {
    try {
      return { value: JSON.parse(l) as unknown, line: i + 1 };
    } catch {
      return { error: 'the line is not JSON', line: i + 1 };
    }
  });
}

function parseCsvEntries(text: string): ParsedEntry[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    return [{ error: `not CSV: ${(err as Error).message}`, line: 1 }];
  }
  const [head, ...rows] = records;
  if (!head || head.cells.map(uncell).join(',') !== CSV_COLUMNS.join(',')) return [{ error: `the header is not ${CSV_COLUMNS.join(',')}`, line: 1 }];
  return rows.map(({ cells, line }) => {
    if (cells.length !== CSV_COLUMNS.length) return { error: `${cells.length} cells where ${CSV_COLUMNS.length} were expected`, line };
    const [sequence, timestamp, recordedAt, sourceId, actorType, actorId, what, why, result, refKind, refId, ticket, outcome, hashPrev, hash] = cells.map(uncell);
    const value: Record<string, unknown> = {
      sequence: /^(0|[1-9]\d*)$/.test(sequence) ? Number(sequence) : sequence,
      '@timestamp': timestamp,
      recorded_at: recordedAt,
      source_id: sourceId,
      actor: { type: actorType, id: actorId },
      what,
      why,
      result,
      hash_prev: hashPrev,
      hash,
    };
    if (refKind !== '' || refId !== '') value.ref = { kind: refKind, id: refId };
    if (ticket !== '') value.ticket = ticket;
    if (outcome !== '') value.outcome = outcome;
    return { value, line };
  });
}
