// The log cut and continued (issue 12, item 11): the writer refuses to start below what it already
// exported or published on audit.log.v1; an export made from a cut-and-continued log says so
// itself (previous_export), and verify over a set of exports reports gaps, overlaps and forks.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { encode } from '../core/codec';
import { DEFAULT_CONFIG } from '../core/config';
import { silentLogger } from '../core/ports';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { exportMark } from './chain-marks';
import { ChainWriter } from './chain-writer';
import { findingDraft } from './drafts';
import { exportPeriod } from './export';
import { FileAuditStore } from './file-store';
import { startAuditService } from './service';
import { generateSigningKey } from './signing';
import { finding, T0 } from './test-records';
import { verifyExport } from './verify-export';
import { verifyExportSet } from './verify-set';

const HOUR = 3_600_000;
const key = createPrivateKey(generateSigningKey().privatePem);
const trusted = createPublicKey(key);
const tmp = () => mkdtempSync(path.join(tmpdir(), 'audit-cut-'));

/** Appends `n` findings to the log, one a second from `atMs` (no checkpoints: the chain alone). */
async function append(file: string, n: number, atMs: number, tag: string): Promise<void> {
  const clock = new ManualClock(atMs);
  const writer = new ChainWriter({ store: new FileAuditStore(file), clock, log: silentLogger });
  for (let i = 0; i < n; i++) {
    await writer.write([findingDraft(finding(`${tag}${i}`))]);
    clock.advance(1000);
  }
  await writer.close();
}

const cutTo = (file: string, keep: number) =>
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(0, keep)
      .map((l) => l + '\n')
      .join(''),
  );

const exportOf = (file: string, parentDir: string, fromMs: number, toMs: number) => exportPeriod(new FileAuditStore(file).entries(), { fromMs, toMs, format: 'ndjson', parentDir, key, allowlist: [], nowMs: toMs });

describe('a log cut and continued', () => {
  it('the writer refuses to reopen a log cut below its newest export (the issue: 55 entries exported, the last 10 cut)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'audit.ndjson');
    await append(file, 55, T0, 'a');
    await exportOf(file, path.join(dir, 'exports'), T0, T0 + HOUR);
    cutTo(file, 45);
    const marks = async () => [(await exportMark(path.join(dir, 'exports'), trusted))!];
    const writer = new ChainWriter({ store: new FileAuditStore(file), clock: new ManualClock(T0 + HOUR), log: silentLogger, marks });
    await expect(writer.start()).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BEHIND', message: expect.stringMatching(/ends at entry 44, but entry 54 was already exported in .*audit-20260301T000000Z--20260301T010000Z: the log was cut/) });
    await writer.close().catch(() => undefined);

    // emptied: the same
    writeFileSync(file, '');
    const again = new ChainWriter({ store: new FileAuditStore(file), clock: new ManualClock(T0 + HOUR), log: silentLogger, marks });
    await expect(again.start()).rejects.toThrow(/ends at no entry \(it is empty\), but entry 54 was already exported/);
  });

  it('the writer refuses a log replaced by another chain of the same length (a fork at the exported entry)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'audit.ndjson');
    await append(file, 10, T0, 'a');
    await exportOf(file, path.join(dir, 'exports'), T0, T0 + HOUR);
    const other = path.join(dir, 'other.ndjson');
    await append(other, 12, T0, 'b');
    renameSync(other, file);
    const writer = new ChainWriter({ store: new FileAuditStore(file), clock: new ManualClock(T0 + HOUR), log: silentLogger, marks: async () => [(await exportMark(path.join(dir, 'exports'), trusted))!] });
    await expect(writer.start()).rejects.toThrow(/entry 9 of the audit log .* is not the one exported in .*: the log was rewritten or replaced/);
  });

  it('on the in-process bus, the audit service refuses to restart on a log cut below what it published on audit.log.v1', async () => {
    const dir = tmp();
    const cfg = structuredClone(DEFAULT_CONFIG);
    cfg.audit = { ...cfg.audit, log_file: path.join(dir, 'audit.ndjson'), export: { ...cfg.audit.export, dir: path.join(dir, 'exports'), schedule: null } };
    const bus = new MemoryBus();
    const rt = createRuntime(cfg, { bus, clock: new ManualClock(T0), log: silentLogger });
    await ensureTopics(rt);
    const first = await startAuditService(rt, { store: new FileAuditStore(cfg.audit.log_file!) });
    const producer = await bus.producer();
    await producer.send(rt.topics.name('findings.v1'), ['f1', 'f2', 'f3', 'f4'].map((id) => encode(id, finding(id))));
    await bus.drained();
    for (const s of first.subscriptions) await s.stop();
    cutTo(cfg.audit.log_file!, 2);
    await expect(startAuditService(rt, { store: new FileAuditStore(cfg.audit.log_file!) })).rejects.toThrow(/ends at entry 1, but entry 3 was already published on audit.log.v1/);
    await bus.close();
  });

  it('an export from a cut-and-continued log fails its continuity check, and the exports together show the fork', async () => {
    const dir = tmp();
    const file = path.join(dir, 'audit.ndjson');
    const exports = path.join(dir, 'exports');
    await append(file, 55, T0, 'a');
    const a = await exportOf(file, exports, T0, T0 + HOUR);
    cutTo(file, 45);
    // continued by a writer that does not check (the code before this change)
    await append(file, 10, T0 + HOUR + 60_000, 'b');
    const b = await exportOf(file, exports, T0 + HOUR, T0 + 2 * HOUR);
    expect(b.manifest.previous).toMatchObject({ sequence: 44 });
    expect(b.manifest.previous_export).toMatchObject({ dir: path.basename(a.dir), sequence: 54 });

    const vb = await verifyExport(b.dir, trusted);
    expect(vb.ok).toBe(false);
    expect(vb.checks.find((c) => c.name === 'continuity')).toMatchObject({ ok: false, detail: expect.stringMatching(/fork: the export before it \(audit-20260301T000000Z--20260301T010000Z\) ended at entry 54, but this one continues the chain from entry 44: entries 45 to 54 were cut/) });

    const set = await verifyExportSet([
      { dir: a.dir, manifest: a.manifest },
      { dir: b.dir, manifest: b.manifest },
    ]);
    expect(set.check.ok).toBe(false);
    expect(set.forks).toEqual([{ sequence: 45, dirs: [path.basename(a.dir), path.basename(b.dir)] }]);
    expect(set.overlaps).toEqual([{ from: 45, to: 54, dirs: [path.basename(a.dir), path.basename(b.dir)] }]);
  });

  it('exports together: a missing export is a gap; a re-export of a period is a harmless overlap', async () => {
    const dir = tmp();
    const file = path.join(dir, 'audit.ndjson');
    const exports = path.join(dir, 'exports');
    for (let h = 0; h < 3; h++) await append(file, 5, T0 + h * HOUR, `h${h}-`);
    const [one, two, three] = [await exportOf(file, exports, T0, T0 + HOUR), await exportOf(file, exports, T0 + HOUR, T0 + 2 * HOUR), await exportOf(file, exports, T0 + 2 * HOUR, T0 + 3 * HOUR)];
    for (const e of [one, two, three]) expect((await verifyExport(e.dir, trusted)).ok).toBe(true);
    const all = await verifyExportSet([one, two, three]);
    expect(all.check).toMatchObject({ ok: true, detail: expect.stringMatching(/3 exports, entries 0 to 14: one chain without gaps or forks/) });

    const gap = await verifyExportSet([one, three]);
    expect(gap.check.ok).toBe(false);
    expect(gap.gaps).toEqual([{ from: 5, to: 9, after: path.basename(one.dir), before: path.basename(three.dir) }]);

    const again = await exportOf(file, path.join(dir, 'again'), T0 + HOUR, T0 + 3 * HOUR);
    const overlap = await verifyExportSet([one, two, three, again]);
    expect(overlap.check.ok).toBe(true);
    expect(overlap.overlaps.map((o) => [o.from, o.to])).toEqual([[5, 9], [10, 14]]);
  });
});
