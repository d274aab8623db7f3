// docs/configuration.md documents every detector: a section per id, a row per setting, and the
// scalar defaults as the code has them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DETECTORS } from './registry';

const doc = readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');

/** Rows of the table under `### \`id\``: key -> documented default (between backticks, or —). */
function section(id: string): Map<string, string> | undefined {
  const start = doc.indexOf(`### \`${id}\``);
  if (start < 0) return undefined;
  const next = doc.indexOf('\n#', start + 4);
  const text = doc.slice(start, next < 0 ? undefined : next);
  const rows = [...text.matchAll(/^\| `([^`]+)` \| (?:`([^`]*)`|—) \|/gm)];
  return new Map(rows.map((m) => [m[1], m[2] ?? '—']));
}

describe.each(DETECTORS.map((d) => [d.id, d]))('documentation of %s', (id, d) => {
  it('has a section with a row for every setting', () => {
    const rows = section(id);
    expect(rows).toBeDefined();
    const keys = [...rows!.keys()];
    for (const k of Object.keys(d.settingsSchema)) expect(keys.some((r) => r === k || r.startsWith(`${k}.`))).toBe(true);
  });

  it('gives the scalar defaults the code has', () => {
    const rows = section(id)!;
    for (const [k, v] of Object.entries(d.defaults)) {
      if (typeof v === 'object' || !rows.has(k)) continue;
      const documented = rows.get(k) === '—' ? '' : rows.get(k);
      expect(`${k}=${documented}`).toBe(`${k}=${String(v)}`);
    }
  });
});
