// A scheduled export covers everything since the previous export in the same directory, up to the
// time it fires: periods follow each other without gaps or overlaps, and a run missed while the
// service was down is caught up by the next one.
import type { KeyObject } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/ports';
import type { ChainWriter } from './chain-writer';
import type { ExportFormat } from './entries-file';
import { exportPeriod, type ExportResult } from './export';
import type { AuditStore } from './store';

export interface ScheduledExportOptions {
  writer: ChainWriter;
  store: AuditStore;
  dir: string;
  format: ExportFormat;
  key: KeyObject;
  allowlist: string[];
  log: Logger;
}

const NAME = /^audit-(\d{8}T\d{6}(?:\.\d{3})?Z)--(\d{8}T\d{6}(?:\.\d{3})?Z)$/;

export async function runScheduledExport(o: ScheduledExportOptions, firedAtMs: number): Promise<ExportResult | undefined> {
  const toMs = Math.floor(firedAtMs / 1000) * 1000;
  // no batch is being chained while the export reads: it sees a settled log
  return o.writer.exclusive(async (chain) => {
    const fromMs = (await lastExportEnd(o.dir)) ?? (await firstRecordedAt(o.store));
    if (fromMs === undefined || fromMs >= toMs) {
      o.log.info({ dir: o.dir, to: new Date(toMs).toISOString() }, 'scheduled audit export: nothing new to export');
      return undefined;
    }
    const result = await exportPeriod(o.store.entries(), { fromMs, toMs, format: o.format, parentDir: o.dir, key: o.key, allowlist: o.allowlist, nowMs: firedAtMs });
    // the log itself gets a signed checkpoint of everything exported (and what came before it)
    await chain.checkpoint(`export ${path.basename(result.dir)}`);
    o.log.info({ dir: result.dir, entries: result.manifest.entries.count, last_sequence: result.manifest.last?.sequence ?? null }, 'scheduled audit export written');
    return result;
  });
}

async function lastExportEnd(dir: string): Promise<number | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let end: number | undefined;
  for (const n of names) {
    const m = NAME.exec(n);
    if (m) end = Math.max(end ?? 0, fromCompact(m[2]));
  }
  return end;
}

async function firstRecordedAt(store: AuditStore): Promise<number | undefined> {
  for await (const e of store.entries()) return Math.floor(Date.parse(e.recorded_at) / 1000) * 1000;
  return undefined;
}

function fromCompact(s: string): number {
  return Date.parse(s.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, '$1-$2-$3T$4:$5:$6'));
}
