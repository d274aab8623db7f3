import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { verifyExport } from './verify-export';

const fixture = (format: string) => path.join(__dirname, 'fixtures', `export-ce9ba65-${format}`);

describe('exports written before issue 13', () => {
  it.each(['csv', 'ndjson'])('still verify (%s, written by commit ce9ba65)', async (format) => {
    const dir = fixture(format);
    const key = createPublicKey(readFileSync(path.join(dir, 'public-key.pem')));
    const v = await verifyExport(dir, key);
    expect(v.checks.map((c) => `${c.name} ${c.ok}`)).toEqual(['signature true', 'files true', 'chain true']);
    expect(v.ok).toBe(true);
  });

  it('the old CSV prefixed its header; the new one does not, and both read the same', () => {
    const old = readFileSync(path.join(fixture('csv'), 'entries.csv'), 'utf8');
    expect(old.startsWith(`"sequence","'@timestamp",`)).toBe(true);
  });
});
