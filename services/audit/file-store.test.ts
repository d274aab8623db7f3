import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../core/clock';
import { CallsentryError } from '../core/errors';
import { silentLogger } from '../core/ports';
import { GENESIS_HASH } from './canonical';
import { ChainWriter } from './chain-writer';
import { findingDraft } from './drafts';
import { FileAuditStore } from './file-store';
import { finding, T0 } from './test-records';

const tmpFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'audit-store-')), 'sub', 'audit.ndjson');
const writerOn = (file: string, clock = new ManualClock(T0)) => new ChainWriter({ store: new FileAuditStore(file), clock, log: silentLogger });
const drafts = (...ids: string[]) => ids.map((id) => findingDraft(finding(id)));
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('FileAuditStore with the chain writer', () => {
  it('creates the file, appends one canonical line per entry, and resumes sequence and hash after a restart', async () => {
    const file = tmpFile();
    const w1 = writerOn(file);
    await w1.write(drafts('a', 'b'));
    await w1.close();
    const w2 = writerOn(file);
    const { appended } = await w2.write(drafts('c'));
    await w2.close();
    const all = lines(file);
    expect(all.map((e) => e.sequence)).toEqual([0, 1, 2]);
    expect(all[0].hash_prev).toBe(GENESIS_HASH);
    expect(appended[0].hash_prev).toBe(all[1].hash);
  });

  it('chains a record once, also when it comes back after a restart or twice in a batch', async () => {
    const file = tmpFile();
    const w1 = writerOn(file);
    await w1.write(drafts('a', 'b', 'a'));
    await w1.close();
    const w2 = writerOn(file);
    const r = await w2.write(drafts('b', 'c'));
    await w2.close();
    expect(r.duplicates.map((e) => e.source_id)).toEqual(['finding:b']);
    expect(lines(file).map((e) => e.source_id)).toEqual(['finding:a', 'finding:b', 'finding:c']);
  });

  it('drops a torn last line (a crash mid-append) and goes on from the last whole entry', async () => {
    const file = tmpFile();
    const w1 = writerOn(file);
    await w1.write(drafts('a', 'b'));
    await w1.close();
    appendFileSync(file, '{"sequence":2,"@timest');
    const w2 = writerOn(file);
    await w2.write(drafts('c'));
    await w2.close();
    expect(lines(file).map((e) => `${e.sequence} ${e.source_id}`)).toEqual(['0 finding:a', '1 finding:b', '2 finding:c']);
  });

  it('refuses to start on a broken chain and names the first broken entry', async () => {
    const file = tmpFile();
    const w1 = writerOn(file);
    await w1.write(drafts('a', 'b', 'c'));
    await w1.close();
    const text = readFileSync(file, 'utf8').split('\n');
    text[1] = text[1].replace('sip/request-flood fired', 'nothing to see');
    writeFileSync(file, text.join('\n'));
    const err = await writerOn(file).start().catch((e) => e);
    expect(err).toBeInstanceOf(CallsentryError);
    expect(err.code).toBe('AUDIT_CHAIN_BROKEN');
    expect(err.message).toMatch(/broken at entry 1 \(line 2\): hash does not match.*Refusing to append/);
  });

  it('re-reads the file after a failed append instead of numbering on from memory', async () => {
    const file = tmpFile();
    const store = new FileAuditStore(file);
    const writer = new ChainWriter({ store, clock: new ManualClock(T0), log: silentLogger });
    await writer.write(drafts('a'));
    const append = store.append.bind(store);
    // the entries reach the disk, then the call fails (say, fsync reports an error)
    store.append = async (es) => {
      await append(es);
      throw new CallsentryError('AUDIT_STORAGE', 'fsync failed', { retriable: true });
    };
    await expect(writer.write(drafts('b'))).rejects.toThrow(/fsync failed/);
    store.append = append;
    const retry = await writer.write(drafts('b', 'c'));
    await writer.close();
    expect(retry.duplicates.map((e) => e.sequence)).toEqual([1]);
    expect(lines(file).map((e) => `${e.sequence} ${e.source_id}`)).toEqual(['0 finding:a', '1 finding:b', '2 finding:c']);
  });

  it('refuses a second writer on the same log, takes over the lock of a writer that is gone, and frees it on close', async () => {
    const file = tmpFile();
    const store = new FileAuditStore(file);
    await store.open(10);
    await store.close();
    // a live process on this host holds the lock (the test runner's parent stands in for another writer)
    writeFileSync(`${file}.lock`, `${process.ppid} ${hostname()}`);
    await expect(new FileAuditStore(file).open(10)).rejects.toThrow(/another audit writer \(pid \d+\) writes this log/);
    // a crashed writer's lock: its pid is gone
    writeFileSync(`${file}.lock`, `2147483646 ${hostname()}`);
    const next = new FileAuditStore(file);
    await next.open(10);
    expect(readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
    await next.close();
    expect(() => readFileSync(`${file}.lock`)).toThrow(/ENOENT/);
  });
});
