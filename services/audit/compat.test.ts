// Logs and exports written before checkpoints, pinned keys and export links still verify: the
// canonical form of an entry and the export manifest stay readable (fixtures/ce9ba65/README.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadPublicKey } from './signing';
import { verifyExport } from './verify-export';
import { verifyLogFile } from './verify-log';

const FIXTURES = path.join(__dirname, 'fixtures', 'ce9ba65');
const trusted = loadPublicKey(readFileSync(path.join(FIXTURES, 'public-key.pem')));

describe('what the code at ce9ba65 wrote', () => {
  it.each(['export-ndjson', 'export-csv'])('%s verifies against its key', async (name) => {
    const v = await verifyExport(path.join(FIXTURES, name), trusted);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.manifest?.last?.sequence).toBe(9);
  });

  it('the log chain verifies from entry 0 to 9; without checkpoints, verify says nothing in it is proven', async () => {
    const v = await verifyLogFile(path.join(FIXTURES, 'audit.ndjson'), trusted);
    expect(v.checks[0]).toMatchObject({ name: 'chain', ok: true });
    expect(v.checks[0].detail).toMatch(/10 entries verify \(0 to 9\)/);
    expect(v.unproven).toEqual([{ from: 0, to: 9, why: expect.stringMatching(/no signed checkpoint in the log/) }]);
    expect(v.ok).toBe(false);
  });

  it('its CSV prefixed even the header; the reader takes that form and today\'s unprefixed one alike', () => {
    const old = readFileSync(path.join(FIXTURES, 'export-csv', 'entries.csv'), 'utf8');
    expect(old.startsWith(`"sequence","'@timestamp",`)).toBe(true);
  });
});
