// `callsentry evaluate DIR`: every labelled capture of a directory replayed on its own pipeline,
// scored against its labels, then summed per family of attack.
import { statSync } from 'node:fs';
import type { CallsentryConfig } from '../core/config';
import { printable } from '../core/printable';
import { createJsonLogger } from '../adapters/log/json-logger';
import { readCaptureSet } from '../evaluation/capture-set';
import { benignHours, summariseByFamily, type CaptureRun, type FamilySummary } from '../evaluation/family-summary';
import { score } from '../evaluation/score';
import type { CommandIo } from './io';
import { replayFiles } from './replay-pipeline';

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export async function evaluateDirectory(dir: string, cfg: CallsentryConfig, within: number, output: 'table' | 'json', io: CommandIo): Promise<number> {
  const runs: CaptureRun[] = [];
  for (const c of readCaptureSet(dir)) {
    const r = await replayFiles([c.file], cfg, io, { log: createJsonLogger({ level: 'error', write: io.err }) });
    runs.push({ name: c.name, events: c.labels.events, score: score(c.labels, r.findings, r.decisions), decisions: r.decisions, findings: r.findings, ...(r.span ? { span: r.span } : {}) });
  }
  const summary = summariseByFamily(runs);
  const late = runs.flatMap((r) => r.score.events.filter((e) => !e.first || e.first.latencySeconds > within));
  const innocent = summary.rows.reduce((n, r) => n + r.innocentBlocks, 0);
  const passed = late.length === 0 && innocent === 0;
  if (output === 'json') {
    io.out(
      JSON.stringify({
        within_seconds: within,
        passed,
        benign_hours: summary.benignHours,
        families: summary.rows,
        captures: runs.map((r) => ({ name: r.name, benign_hours: benignHours(r), events: r.score.events, unmatched_findings: r.score.unmatchedFindings, forbidden_blocks: r.score.forbiddenBlocks })),
      }),
    );
  } else for (const line of table(runs, summary, within)) io.out(line);
  return passed ? 0 : 1;
}

const secs = (s?: number) => (s === undefined ? '-' : `${s.toFixed(1)} s`);

function table(runs: CaptureRun[], summary: FamilySummary, within: number): string[] {
  const out = ['capture                 attack                    family      detected  first detector                 key                          after'];
  for (const run of runs) {
    if (run.score.events.length === 0) out.push(`${run.name.padEnd(23)} (benign, ${benignHours(run).toFixed(2)} h)`);
    for (const e of run.score.events) {
      const ok = e.first && e.first.latencySeconds <= within ? 'yes' : e.first ? 'LATE' : 'NO';
      const seen = !e.first && e.detectors.length ? `  (seen only by ${e.detectors.join(', ')})` : '';
      out.push(
        `${run.name.padEnd(23)} ${e.id.padEnd(25)} ${e.family.padEnd(11)} ${ok.padEnd(9)} ${(e.first?.detector ?? '-').padEnd(30)} ${printable(e.first?.key ?? '-').padEnd(28)} ${secs(e.first?.latencySeconds)}${seen}`,
      );
    }
  }
  out.push('', 'family      attacks  detected  recall   median TTD  worst TTD  false findings  per benign hour  innocent blocks');
  for (const r of summary.rows) {
    out.push(
      `${r.family.padEnd(11)} ${String(r.attacks).padStart(7)}  ${String(r.detected).padStart(8)}  ${(r.recall === undefined ? '-' : `${(r.recall * 100).toFixed(0)}%`).padStart(6)}   ` +
        `${secs(r.medianSeconds).padStart(10)}  ${secs(r.worstSeconds).padStart(9)}  ${String(r.falseFindings).padStart(14)}  ${(r.falsePerHour === undefined ? '-' : r.falsePerHour.toFixed(2)).padStart(15)}  ${String(r.innocentBlocks).padStart(15)}`,
    );
  }
  out.push(`benign traffic: ${summary.benignHours.toFixed(2)} h over ${runs.length} captures; detection counted within ${within} s of an attack's start`);
  for (const run of runs) for (const f of run.score.unmatchedFindings) out.push(`  false: ${run.name}  ${f['@timestamp']}  ${f.rule.id}  ${f.key.type}=${printable(f.key.value)}`);
  return out;
}
