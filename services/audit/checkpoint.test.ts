// Where the writer puts checkpoints: never more than every_entries entries after one (a large
// batch is split), with the first batch that is every_seconds late, and at start when a crash left
// entries without their checkpoint, so that an honest log always verifies.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { ChainWriter } from './chain-writer';
import { isCheckpoint, readCheckpoint } from './checkpoint';
import { findingDraft } from './drafts';
import { FileAuditStore } from './file-store';
import { generateSigningKey } from './signing';
import { finding, T0 } from './test-records';
import { verifyLogFile } from './verify-log';

const key = createPrivateKey(generateSigningKey().privatePem);
const policy = { key, everyEntries: 5, everySeconds: 60 };
const drafts = (tag: string, n: number) => Array.from({ length: n }, (_, i) => findingDraft(finding(`${tag}${i}`)));
const file = () => path.join(mkdtempSync(path.join(tmpdir(), 'audit-cp-')), 'audit.ndjson');
const read = (f: string): AuditEntry[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const shape = (es: AuditEntry[]) => es.map((e) => (isCheckpoint(e) ? 'C' : '.')).join('');

describe('checkpoints', () => {
  it('splits a large batch so that no more than every_entries entries follow a checkpoint, and signs what comes before each', async () => {
    const f = file();
    const clock = new ManualClock(T0);
    const writer = new ChainWriter({ store: new FileAuditStore(f), clock, log: silentLogger, checkpoints: policy });
    const r = await writer.write(drafts('a', 12));
    expect(r.appended).toHaveLength(12);
    clock.advance(10_000);
    await writer.write(drafts('b', 2));
    // one after every 5 entries, inside the batch; the last 4 wait (10 s is not yet due)
    expect(shape(read(f))).toBe('.....C.....C....');
    const cp = readCheckpoint(read(f)[5])!;
    expect(cp).toMatchObject({ sequence: 4, hash: read(f)[4].hash, everyEntries: 5, everySeconds: 60 });
    await writer.close();
    expect(shape(read(f))).toBe('.....C.....C....C');
    expect((await verifyLogFile(f, createPublicKey(key))).ok).toBe(true);
  });

  it('a batch every_seconds after the last checkpoint gets one; the timer covers entries that wait', async () => {
    const f = file();
    const clock = new ManualClock(T0);
    const writer = new ChainWriter({ store: new FileAuditStore(f), clock, log: silentLogger, checkpoints: policy });
    await writer.write(drafts('a', 1)); // .C
    clock.advance(30_000);
    await writer.write(drafts('b', 1)); // not yet due
    expect(await writer.checkpointIfDue()).toBeUndefined();
    clock.advance(30_000);
    await writer.write(drafts('c', 1)); // 60 s: due
    clock.advance(1_000);
    await writer.write(drafts('d', 1));
    clock.advance(60_000);
    expect(await writer.checkpointIfDue()).toMatchObject({ outcome: 'checkpoint', why: 'every 5 entries or 60 s' });
    expect(shape(read(f))).toBe('.C..C.C');
    expect((await verifyLogFile(f, createPublicKey(key))).ok).toBe(true);
  });

  it('entries a crash left without their checkpoint get one when the writer starts again', async () => {
    const f = file();
    const clock = new ManualClock(T0);
    const writer = new ChainWriter({ store: new FileAuditStore(f), clock, log: silentLogger, checkpoints: policy });
    await writer.write(drafts('a', 3));
    clock.advance(120_000);
    await writer.write(drafts('b', 2));
    // the crash: the batch reached the disk, its checkpoint did not (no close either)
    const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
    writeFileSync(f, lines.slice(0, -1).join('\n') + '\n');
    expect((await verifyLogFile(f, createPublicKey(key))).ok).toBe(false);
    const again = new ChainWriter({ store: new FileAuditStore(f), clock, log: silentLogger, checkpoints: policy });
    await again.start();
    expect(read(f).pop()).toMatchObject({ outcome: 'checkpoint', why: 'writer started' });
    expect((await verifyLogFile(f, createPublicKey(key))).ok).toBe(true);
    await again.close();
  });
});
