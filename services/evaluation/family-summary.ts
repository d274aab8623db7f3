// Scores of many captures, per family of attack: recall, median and worst time to detect, false
// findings per hour of benign traffic, and innocent blocks. Pure.
import type { Decision, Finding } from '../core/records';
import type { LabelledEvent } from './labels';
import type { Score } from './score';

export interface CaptureRun {
  name: string;
  events: LabelledEvent[];
  score: Score;
  decisions: Decision[];
  findings: Finding[];
  /** event time the capture spans, epoch ms */
  span?: { firstMs: number; lastMs: number };
}

export interface FamilyRow {
  family: string;
  attacks: number;
  detected: number;
  /** detected / attacks; absent without attacks */
  recall?: number;
  medianSeconds?: number;
  worstSeconds?: number;
  falseFindings: number;
  falsePerHour?: number;
  /** blocks and suspensions of what was no attacker: protected addresses, and keys of false findings */
  innocentBlocks: number;
}

export interface FamilySummary {
  rows: FamilyRow[];
  benignHours: number;
}

/** A finding counts toward the benign hours' trail this long after an attack ends. */
const TRAIL_MS = 60_000;

/** Hours of a capture with no labelled attack under way (its span less each attack and its trail). */
export function benignHours(run: Pick<CaptureRun, 'events' | 'span'>): number {
  if (!run.span) return 0;
  const { firstMs, lastMs } = run.span;
  const windows = run.events.map((e) => [Math.max(firstMs, e.startMs), Math.min(lastMs, e.endMs + TRAIL_MS)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let attackMs = 0;
  let coveredTo = firstMs;
  for (const [a, b] of windows) {
    const from = Math.max(a, coveredTo);
    if (b > from) attackMs += b - from;
    coveredTo = Math.max(coveredTo, b);
  }
  return Math.max(0, lastMs - firstMs - attackMs) / 3_600_000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function summariseByFamily(runs: CaptureRun[]): FamilySummary {
  const hours = runs.reduce((h, r) => h + benignHours(r), 0);
  const rows = new Map<string, { attacks: number; latencies: number[]; falseFindings: number; innocentBlocks: number }>();
  const row = (family: string) => {
    let r = rows.get(family);
    if (!r) rows.set(family, (r = { attacks: 0, latencies: [], falseFindings: 0, innocentBlocks: 0 }));
    return r;
  };
  for (const run of runs) {
    for (const e of run.score.events) {
      const r = row(e.family);
      r.attacks++;
      if (e.first) r.latencies.push(Math.max(0, e.first.latencySeconds));
    }
    const familyOf = new Map(run.findings.map((f) => [f.event.id, f.rule.category ?? 'other']));
    for (const f of run.score.unmatchedFindings) row(f.rule.category ?? 'other').falseFindings++;
    // a block or suspension is innocent when it hits a protected address, or stems only from false findings
    const falseIds = new Set(run.score.unmatchedFindings.map((f) => f.event.id));
    const innocent = new Set(run.score.forbiddenBlocks.map((b) => b.decision.id));
    for (const d of run.decisions) {
      if (d.action !== 'block' && d.action !== 'suspend-account' && d.action !== 'deny-peer') continue;
      if (d.finding_ids.length > 0 && d.finding_ids.every((id) => falseIds.has(id))) innocent.add(d.id);
    }
    for (const d of run.decisions.filter((x) => innocent.has(x.id))) row(familyOf.get(d.finding_ids[0] ?? '') ?? 'other').innocentBlocks++;
  }
  return {
    benignHours: hours,
    rows: [...rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([family, r]) => ({
        family,
        attacks: r.attacks,
        detected: r.latencies.length,
        ...(r.attacks ? { recall: r.latencies.length / r.attacks } : {}),
        ...(r.latencies.length ? { medianSeconds: median(r.latencies), worstSeconds: Math.max(...r.latencies) } : {}),
        falseFindings: r.falseFindings,
        ...(hours > 0 ? { falsePerHour: r.falseFindings / hours } : {}),
        innocentBlocks: r.innocentBlocks,
      })),
  };
}
