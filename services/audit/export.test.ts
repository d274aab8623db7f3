import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { ChainWriter } from './chain-writer';
import { exportDirName, exportPeriod } from './export';
import { MemoryAuditStore } from './store';
import { generateSigningKey } from './signing';
import { memoryChain, sampleDrafts, T0 } from './test-records';
import { verifyExport } from './verify-export';

const HOUR = 3_600_000;
const tmp = () => mkdtempSync(path.join(tmpdir(), 'audit-export-'));
const key = createPrivateKey(generateSigningKey().privatePem);
const trusted = createPublicKey(key);
async function* iter(entries: AuditEntry[]) {
  yield* entries;
}

/** 6 entries in the first hour, 6 in the second, 6 in the third */
async function threeHours(): Promise<AuditEntry[]> {
  const store = new MemoryAuditStore();
  const clock = new ManualClock(T0);
  const writer = new ChainWriter({ store, clock, log: silentLogger });
  for (let h = 0; h < 3; h++) {
    clock.set(T0 + h * HOUR + 60_000);
    for (const d of sampleDrafts().slice(0, 6)) await writer.write([{ ...d, source_id: `${d.source_id}-${h}` }]);
  }
  return store.all;
}

describe('export and verify', () => {
  it.each(['ndjson', 'csv'] as const)('exports the entries recorded in a period as %s, with a signed manifest that verify accepts', async (format) => {
    const chain = await threeHours();
    const { dir, manifest } = await exportPeriod(iter(chain), { fromMs: T0 + HOUR, toMs: T0 + 2 * HOUR, format, parentDir: tmp(), key, allowlist: [], nowMs: T0 + 3 * HOUR });
    expect(path.basename(dir)).toBe('audit-20260301T010000Z--20260301T020000Z');
    expect(readdirSync(dir).sort()).toEqual([`entries.${format}`, 'manifest.json', 'manifest.sig', 'public-key.pem', 'summary.html']);
    expect(manifest).toMatchObject({
      period: { from: '2026-03-01T01:00:00.000Z', to: '2026-03-01T02:00:00.000Z' },
      entries: { count: 6, format },
      counts_by_actor: { detector: 3, decider: 3 },
      first: { sequence: 6, hash: chain[6].hash, hash_prev: chain[5].hash },
      last: { sequence: 11, hash: chain[11].hash },
      previous: { sequence: 5, hash: chain[5].hash },
    });
    const v = await verifyExport(dir, createPublicKey(key));
    expect(v.checks.map((c) => `${c.name} ${c.ok}`)).toEqual(['signature true', 'files true', 'chain true', 'continuity true']);
    expect(v.ok).toBe(true);
    expect(v.checks[2].detail).toMatch(/6 entries verify \(entries 6 to 11\), linked from entry 5/);
  });

  it('round-trips values that look like spreadsheet formulas, quotes and newlines through CSV', async () => {
    const chain = await memoryChain(3, (i) => ({ ...sampleDrafts()[9], source_id: `s${i}`, why: ['=HYPERLINK("http://evil")', "'quoted\", with\nnewline", '-1+1'][i], ticket: '@T' }));
    const { dir } = await exportPeriod(iter(chain), { fromMs: T0, toMs: T0 + HOUR, format: 'csv', parentDir: tmp(), key, allowlist: [], nowMs: T0 + HOUR });
    const csv = readFileSync(path.join(dir, 'entries.csv'), 'utf8');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    // no value cell starts a formula; the header is ours and names `@timestamp` as it is
    expect(csv.slice(csv.indexOf('\r\n'))).not.toMatch(/(^|,)"[=+\-@]/m);
    expect((await verifyExport(dir, trusted)).ok).toBe(true);
  });

  it('exports an empty period with the chain position it continues from', async () => {
    const chain = await threeHours();
    const { dir, manifest } = await exportPeriod(iter(chain), { fromMs: T0 + 5 * HOUR, toMs: T0 + 6 * HOUR, format: 'ndjson', parentDir: tmp(), key, allowlist: [], nowMs: T0 + 6 * HOUR });
    expect(manifest).toMatchObject({ entries: { count: 0 }, first: null, last: null, previous: { sequence: 17 } });
    expect((await verifyExport(dir, trusted)).ok).toBe(true);
  });

  it('refuses to export from a broken log, naming the entry', async () => {
    const chain = await memoryChain(5);
    chain[2] = { ...chain[2], what: 'forged' };
    await expect(exportPeriod(iter(chain), { fromMs: T0, toMs: T0 + HOUR, format: 'ndjson', parentDir: tmp(), key, allowlist: [], nowMs: T0 + HOUR })).rejects.toThrow(/broken at entry 2 \(line 3\): hash does not match/);
  });

  it('does not overwrite an earlier export of the same period', async () => {
    const parentDir = tmp();
    const chain = await memoryChain(2);
    const req = { fromMs: T0, toMs: T0 + HOUR, format: 'ndjson' as const, parentDir, key, allowlist: [], nowMs: T0 + HOUR };
    await exportPeriod(iter(chain), req);
    await expect(exportPeriod(iter(chain), req)).rejects.toThrow(/already exists/);
    expect(readdirSync(parentDir)).toEqual([exportDirName(T0, T0 + HOUR)]);
  });

  it('reports a manifest whose fields were renamed or retyped instead of crashing on it', async () => {
    const chain = await memoryChain(2);
    const { dir } = await exportPeriod(iter(chain), { fromMs: T0, toMs: T0 + HOUR, format: 'ndjson', parentDir: tmp(), key, allowlist: [], nowMs: T0 + HOUR });
    const file = path.join(dir, 'manifest.json');
    // found by the property test: one flipped byte turned "period" into "perioe"
    writeFileSync(file, readFileSync(file, 'utf8').replace('"period"', '"perioe"'));
    const v = await verifyExport(dir, trusted);
    expect(v.ok).toBe(false);
    expect(v.checks.map((c) => `${c.name} ${c.ok}`)).toEqual(['signature false', 'files false']);
    expect(v.checks[1].detail).toMatch(/not an export manifest: data must have required property 'period'/);
  });

  it('names the first broken entry and the altered file, and fails a signature by another key', async () => {
    const chain = await memoryChain(6);
    const { dir } = await exportPeriod(iter(chain), { fromMs: T0, toMs: T0 + HOUR, format: 'ndjson', parentDir: tmp(), key, allowlist: [], nowMs: T0 + HOUR });
    const file = path.join(dir, 'entries.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = lines[3].replace('fired', 'fixed');
    writeFileSync(file, lines.join('\n'));
    const v = await verifyExport(dir, trusted);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'files')!.detail).toMatch(/entries.ndjson: SHA-256 differs/);
    expect(v.broken).toMatchObject({ sequence: 3, line: 4 });
    expect(v.broken!.why).toMatch(/hash does not match/);
    const other = createPublicKey(createPrivateKey(generateSigningKey().privatePem));
    expect((await verifyExport(dir, other)).checks[0]).toMatchObject({ name: 'signature', ok: false });
  });
});
