// docs/verdicts.md shows the Kamailio block the verdict lab runs: the same text, not a copy that drifts.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

it('docs/verdicts.md holds the verdict block of infra/lab/verdict/kamailio.cfg verbatim', () => {
  const cfg = readFileSync(path.join(ROOT, 'infra/lab/verdict/kamailio.cfg'), 'utf8');
  const start = cfg.indexOf('# --- callsentry verdict');
  const end = cfg.indexOf('# --- end of the callsentry verdict block ---');
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const block = cfg.slice(start, end + '# --- end of the callsentry verdict block ---'.length);
  expect(readFileSync(path.join(ROOT, 'docs/verdicts.md'), 'utf8')).toContain('```\n' + block + '\n```');
});
