// Verifies exports together, as one chain: which sequences no export holds (gaps), which several
// hold (overlaps: harmless when they agree), and where two exports disagree about an entry
// (forks: a log that was cut and continued, or rewritten, between them).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEntries } from './entries-file';
import type { Manifest } from './manifest';
import type { Check } from './verify-export';

export interface SetMember {
  dir: string;
  manifest: Manifest;
}

export interface SetReport {
  check: Check;
  gaps: Array<{ from: number; to: number; after: string; before: string }>;
  overlaps: Array<{ from: number; to: number; dirs: [string, string] }>;
  forks: Array<{ sequence: number; dirs: [string, string] }>;
}

export async function verifyExportSet(members: SetMember[]): Promise<SetReport> {
  const known = new Map<number, { hash: string; dir: string }>();
  const forks: SetReport['forks'] = [];
  const forked = new Set<string>();
  const see = (sequence: number, hash: string, dir: string) => {
    const had = known.get(sequence);
    if (!had) known.set(sequence, { hash, dir });
    else if (had.hash !== hash && had.dir !== dir) {
      // the first entry where two exports disagree is the fork; later ones follow from it
      const pair = [had.dir, dir].sort().join('\n');
      if (!forked.has(pair)) {
        forked.add(pair);
        forks.push({ sequence, dirs: [had.dir, dir] });
      }
    }
  };
  const ranges: Array<{ dir: string; from: number; to: number }> = [];
  for (const m of members) {
    const name = path.basename(m.dir);
    if (m.manifest.previous) see(m.manifest.previous.sequence, m.manifest.previous.hash, name);
    const text = await readFile(path.join(m.dir, m.manifest.entries.file), 'utf8');
    for (const p of parseEntries(text, m.manifest.entries.format)) {
      if ('value' in p) {
        const e = p.value as { sequence: number; hash: string };
        see(e.sequence, e.hash, name);
      }
    }
    const from = (m.manifest.previous?.sequence ?? -1) + 1;
    ranges.push({ dir: name, from, to: m.manifest.last?.sequence ?? from - 1 });
  }
  forks.sort((a, b) => a.sequence - b.sequence);
  ranges.sort((a, b) => a.from - b.from || a.to - b.to);
  const gaps: SetReport['gaps'] = [];
  const overlaps: SetReport['overlaps'] = [];
  let reach: { to: number; dir: string } | undefined;
  for (const r of ranges) {
    if (r.to < r.from) continue;
    if (reach && r.from > reach.to + 1) gaps.push({ from: reach.to + 1, to: r.from - 1, after: reach.dir, before: r.dir });
    if (reach && r.from <= reach.to) overlaps.push({ from: r.from, to: Math.min(r.to, reach.to), dirs: [reach.dir, r.dir] });
    if (!reach || r.to > reach.to) reach = { to: r.to, dir: r.dir };
  }
  const parts = [
    ...forks.map((f) => `fork at entry ${f.sequence}: ${f.dirs[0]} and ${f.dirs[1]} hold different entries there (the log was cut and continued, or rewritten, between them)`),
    ...gaps.map((g) => `gap: entries ${g.from} to ${g.to} are in no export (between ${g.after} and ${g.before}): nothing proves them`),
    ...overlaps.map((o) => `overlap: entries ${o.from} to ${o.to} are in both ${o.dirs[0]} and ${o.dirs[1]}`),
  ];
  const covered = ranges.filter((r) => r.to >= r.from);
  const span = covered.length ? `entries ${Math.min(...covered.map((r) => r.from))} to ${Math.max(...covered.map((r) => r.to))}` : 'no entries';
  const ok = forks.length === 0 && gaps.length === 0;
  return { check: { name: 'exports', ok, detail: `${members.length} exports, ${span}${parts.length ? `; ${parts.join('; ')}` : ': one chain without gaps or forks'}` }, gaps, overlaps, forks };
}
