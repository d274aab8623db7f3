// The generated dashboards' structure, checked without a Grafana server: unique panel ids, every
// datasource provisioned, no dangling template variable, the committed JSON up to date, and the
// panels the NOC asked for present. Their queries run against the real servers in test/dashboards.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS } from './src/all';
import { renderDashboard } from './src/dashboard';
import { generatedFiles } from './src/generate';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const BUILTINS = new Set(['__rate_interval', '__interval', '__range', '__all']);
const panelsOf = (d: Json): Json[] => d.rows.flatMap((r: Json) => r.panels);

describe('generated dashboards', () => {
  const provisioned = parse(generatedFiles().get('provisioning/datasources/callsentry.yaml')!).datasources as Json[];
  const uids = new Set(provisioned.map((d) => d.uid));

  it('are committed as `npm run dashboards` writes them', () => {
    for (const [rel, text] of generatedFiles()) expect(readFileSync(path.join(__dirname, rel), 'utf8')).toBe(text);
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d]))('%s: unique panel ids, provisioned datasources, no dangling variables', (_uid, spec) => {
    const d = renderDashboard(spec) as Json;
    const panels = panelsOf(d);
    expect(panels.length).toBeGreaterThan(0);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const defined = new Set((d.templating.list as Json[]).map((v) => v.name));
    for (const v of d.templating.list as Json[]) expect(uids).toContain(v.datasource.uid);
    for (const p of panels) {
      expect(uids).toContain(p.datasource.uid);
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets as Json[]) {
        expect(t.datasource).toEqual(p.datasource);
        const text = String(t.query ?? t.expr);
        for (const [, a, b] of text.matchAll(/\$(?:\{(\w+)\}|(\w+))/g)) {
          const name = a ?? b;
          if (!BUILTINS.has(name)) expect({ panel: p.title, variable: name, defined: defined.has(name) }).toEqual({ panel: p.title, variable: name, defined: true });
        }
      }
    }
    // every variable is used: a selector that changes nothing misleads the NOC
    const allText = JSON.stringify(panels.map((p) => p.targets));
    for (const name of defined) expect(allText).toContain(`$${name}`);
  });

  it('has the panels the NOC asked for', () => {
    const titles = (uid: string) => panelsOf(renderDashboard(DASHBOARDS.find((d) => d.uid === uid)!) as Json).map((p) => p.title);
    expect(titles('callsentry-noc')).toEqual(expect.arrayContaining(['Flow records per second', 'Findings by severity', 'Live blocks', 'Top sources by SIP requests', 'Top dialed destinations', 'Top dialed countries', 'Consumer lag']));
    expect(titles('callsentry-policy')).toEqual(expect.arrayContaining(['Signalling transport per tenant', 'Media on SRTP per tenant']));
    expect(titles('callsentry-enforcement')).toEqual(expect.arrayContaining(['Decisions by action', 'Refused by guardrail', 'Expired', 'Operator actions']));
    expect(DASHBOARDS.map((d) => d.uid)).toEqual(['callsentry-noc', 'callsentry-dos', 'callsentry-fraud', 'callsentry-policy', 'callsentry-enforcement']);
  });
});
