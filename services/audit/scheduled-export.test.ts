// A scheduled export under a test clock: the service's cron schedule fires as the clock passes
// midnight, the export covers the day, verifies, and the next day's continues the chain.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { encode } from '../core/codec';
import { DEFAULT_CONFIG } from '../core/config';
import { silentLogger } from '../core/ports';
import { createRuntime } from '../runtime/runtime';
import { FileAuditStore } from './file-store';
import { ManualScheduler } from './scheduler';
import { startAuditService } from './service';
import { generateSigningKey, loadPublicKey, loadSigningKey, publicKeyPem } from './signing';
import { verifyLogFile } from './verify-log';
import { finding } from './test-records';
import { verifyExport } from './verify-export';

const DAY = 86_400_000;
const MIDNIGHT = Date.parse('2026-03-01T00:00:00Z');

describe('scheduled export', () => {
  it('runs on the cron schedule under a test clock and writes a verifiable export of each day', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-sched-'));
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, generateSigningKey().privatePem);
    const cfg = structuredClone(DEFAULT_CONFIG);
    cfg.audit = { ...cfg.audit, log_file: path.join(dir, 'audit.ndjson'), signing_key_file: keyFile, export: { schedule: '0 0 * * *', dir: path.join(dir, 'exports'), format: 'csv' } };
    const clock = new ManualClock(MIDNIGHT + 8 * 3_600_000);
    const bus = new MemoryBus();
    const rt = createRuntime(cfg, { bus, clock, log: silentLogger });
    const scheduler = new ManualScheduler(clock);
    const service = await startAuditService(rt, { store: new FileAuditStore(cfg.audit.log_file!), scheduler });
    const producer = await bus.producer();
    const record = async (ids: string[]) => {
      await producer.send(rt.topics.name('findings.v1'), ids.map((id) => encode(id, finding(id))));
      await bus.drained();
    };

    await record(['a1', 'a2', 'a3']); // day 1, 08:00
    await scheduler.advanceTo(MIDNIGHT + 20 * 3_600_000);
    await record(['a4']); // day 1, 20:00
    expect(existsSync(cfg.audit.export.dir)).toBe(false); // nothing before the schedule fires
    await scheduler.advanceTo(MIDNIGHT + DAY + 3_600_000); // past midnight: the schedule fires
    await record(['b1', 'b2']); // day 2, 01:00
    await scheduler.advanceTo(MIDNIGHT + 2 * DAY + 60_000);
    for (const s of service.subscriptions) await s.stop();
    await bus.close();

    const exports = readdirSync(cfg.audit.export.dir).sort();
    // the first export starts at the first entry; each later one where the one before ended
    expect(exports).toEqual(['audit-20260301T080000Z--20260302T000000Z', 'audit-20260302T000000Z--20260303T000000Z']);
    const trusted = loadPublicKey(publicKeyPem(loadSigningKey(keyFile)));
    const [day1, day2] = await Promise.all(exports.map((e) => verifyExport(path.join(cfg.audit.export.dir, e), trusted)));
    expect(day1.checks.filter((c) => !c.ok)).toEqual([]);
    expect(day2.checks.filter((c) => !c.ok)).toEqual([]);
    // day 1: a1 and its checkpoint, a2, a3, a4 and its checkpoint (20:00 is more than 300 s after 08:00)
    expect(day1.manifest).toMatchObject({ entries: { count: 6, format: 'csv' }, first: { sequence: 0 }, last: { sequence: 5 }, previous: null, previous_export: null });
    // day 2: b1, b2 and their checkpoint (the export at midnight found everything covered already)
    expect(day2.manifest).toMatchObject({ entries: { count: 3 }, first: { sequence: 6, hash_prev: day1.manifest!.last!.hash }, previous: { sequence: 5, hash: day1.manifest!.last!.hash } });
    expect(day2.manifest!.previous_export).toEqual({ dir: exports[0], sequence: 5, hash: day1.manifest!.last!.hash });
    expect(day2.checks.find((c) => c.name === 'continuity')!.detail).toMatch(/continues audit-20260301T080000Z--20260302T000000Z from its last entry 5/);
    // the log: proven by its checkpoints up to the one the service wrote when it stopped
    const log = await verifyLogFile(cfg.audit.log_file!, trusted);
    expect(log.checks.filter((c) => !c.ok)).toEqual([]);
    expect(log.unproven).toEqual([]);
  });

  it('refuses to start with scheduled exports but no signing key, or with a bad cron expression', async () => {
    const cfg = structuredClone(DEFAULT_CONFIG);
    const rt = createRuntime(cfg, { bus: new MemoryBus(), log: silentLogger });
    const store = new FileAuditStore(path.join(mkdtempSync(path.join(tmpdir(), 'audit-sched-')), 'a.ndjson'));
    await expect(startAuditService(rt, { store, scheduler: new ManualScheduler(new ManualClock(0)) })).rejects.toThrow(/audit.signing_key_file is not set.*callsentry audit keygen/);
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-sched-'));
    writeFileSync(path.join(dir, 'k.pem'), generateSigningKey().privatePem);
    cfg.audit.signing_key_file = path.join(dir, 'k.pem');
    cfg.audit.export.schedule = '61 * * * *';
    await expect(startAuditService(createRuntime(cfg, { bus: new MemoryBus(), log: silentLogger }), { store, scheduler: new ManualScheduler(new ManualClock(0)) })).rejects.toThrow(/audit.export.schedule: not a cron expression/);
  });
});
