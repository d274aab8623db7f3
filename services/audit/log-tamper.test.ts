// Tampering with the log file itself (issue 12, item 12): re-chained insertions and deletions, a
// cut tail, a torn last line, an emptied file, checkpoints removed or re-signed with another key.
// Each is detected by `verifyLogFile` with the trusted key; what cannot be proven is listed.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { canonicalJson, entryHash, GENESIS_HASH } from './canonical';
import { ChainWriter } from './chain-writer';
import { checkpointDraft, isCheckpoint } from './checkpoint';
import { FileAuditStore } from './file-store';
import { generateSigningKey } from './signing';
import { finding, T0 } from './test-records';
import { findingDraft } from './drafts';
import { verifyLogFile } from './verify-log';

const key = createPrivateKey(generateSigningKey().privatePem);
const trusted = createPublicKey(key);
const policy = { key, everyEntries: 5, everySeconds: 3600 };

/** 30 findings, one a second, with a checkpoint after every 5; the writer stops cleanly. */
async function signedLog(): Promise<{ file: string; entries: AuditEntry[] }> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-log-tamper-')), 'audit.ndjson');
  const clock = new ManualClock(T0);
  const writer = new ChainWriter({ store: new FileAuditStore(file), clock, log: silentLogger, checkpoints: policy });
  for (let i = 0; i < 30; i++) {
    await writer.write([findingDraft(finding(`f${i}`))]);
    clock.advance(1000);
  }
  await writer.close();
  return { file, entries: read(file) };
}

const read = (file: string): AuditEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry);
const write = (file: string, entries: AuditEntry[]) => writeFileSync(file, entries.map((e) => canonicalJson(e) + '\n').join(''));

/** What an attacker without the key does after editing: renumber and re-hash every entry (optionally re-signing checkpoints with a key of their own). */
function rechain(entries: AuditEntry[], signWith?: KeyObject): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (const [i, e] of entries.entries()) {
    let body: Omit<AuditEntry, 'hash'> = { ...e, sequence: i, hash_prev: prev };
    delete (body as Partial<AuditEntry>).hash;
    if (signWith && isCheckpoint(e)) {
      const d = checkpointDraft({ nextSequence: i, lastHash: prev, lastRecordedAtMs: 0 }, { ...policy, key: signWith }, e.why, e['@timestamp']);
      body = { ...body, result: d.result, what: d.what, source_id: d.source_id };
    }
    const entry = { ...body, hash: entryHash(body) } as AuditEntry;
    out.push(entry);
    prev = entry.hash;
  }
  return out;
}

const failed = (v: { checks: Array<{ ok: boolean; detail: string }> }) =>
  v.checks
    .filter((c) => !c.ok)
    .map((c) => c.detail)
    .join('\n');

describe('the log file, tampered', () => {
  it('untampered: every entry proven by the checkpoints (the last written at stop)', async () => {
    const { file, entries } = await signedLog();
    expect(entries.filter(isCheckpoint)).toHaveLength(entries.length - 30);
    const v = await verifyLogFile(file, trusted);
    expect(failed(v)).toBe('');
    expect(v.ok).toBe(true);
    expect(v.provenTo).toBe(entries.length - 1);
    expect(v.unproven).toEqual([]);
  });

  it.each([
    ['an entry inserted and the chain re-hashed', (es: AuditEntry[]) => [...es.slice(0, 10), { ...es[9], source_id: 'finding:forged', what: 'forged' }, ...es.slice(10)]],
    ['an entry deleted and the chain re-hashed', (es: AuditEntry[]) => es.filter((_, i) => i !== 10)],
    ['an entry altered and the chain re-hashed', (es: AuditEntry[]) => es.map((e, i) => (i === 3 ? { ...e, why: 'nothing happened' } : e))],
  ])('%s: the checkpoints after it no longer verify', async (_name, edit) => {
    const { file, entries } = await signedLog();
    write(file, rechain(edit(entries)));
    const v = await verifyLogFile(file, trusted);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.name === 'chain')!.ok).toBe(true); // the chain itself is consistent again
    expect(failed(v)).toMatch(/the checkpoint at entry \d+ does not verify: entries up to \d+ are not what was signed/);
    expect(v.unproven.length).toBeGreaterThan(0);
  });

  it('deleted entries with every checkpoint after them removed too: more entries after the last checkpoint than the writer allows', async () => {
    const { file, entries } = await signedLog();
    const firstAfter = entries.findIndex((e, i) => i > 8 && isCheckpoint(e));
    write(file, rechain(entries.filter((e, i) => !(i >= 8 && isCheckpoint(e)) && i !== 9)));
    const v = await verifyLogFile(file, trusted);
    expect(firstAfter).toBeGreaterThan(8);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/checkpoint missing before entry \d+: more than 5 entries after the checkpoint at entry \d+; checkpoints were removed/);
    expect(v.unproven[0]).toMatchObject({ to: read(file).length - 1 });
  });

  it('checkpoints re-signed with another key: not trusted', async () => {
    const { file, entries } = await signedLog();
    const other = createPrivateKey(generateSigningKey().privatePem);
    write(file, rechain(entries.filter((_, i) => i !== 4), other));
    const v = await verifyLogFile(file, trusted);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/signed by key SHA-256 [0-9a-f]{64}, which is not trusted/);
    expect(v.provenTo).toBeUndefined();
  });

  it('without a trusted key nothing is proven and verify fails', async () => {
    const { file } = await signedLog();
    const v = await verifyLogFile(file);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/not trusted \(no trusted key: pass --public-key/);
  });

  it('a cut tail: the entries after the last checkpoint are listed as not proven, and an export that reaches further shows the cut', async () => {
    const { file, entries } = await signedLog();
    const cut = entries.slice(0, 15);
    write(file, cut);
    const alone = await verifyLogFile(file, trusted);
    const lastCp = cut.filter(isCheckpoint).pop()!.sequence;
    expect(alone.unproven).toEqual([{ from: lastCp + 1, to: 14, why: expect.stringMatching(/after the last checkpoint/) }]);
    const last = entries[entries.length - 1];
    const withExport = await verifyLogFile(file, trusted, [{ sequence: last.sequence, hash: last.hash, where: 'exported in audit-x' }]);
    expect(withExport.ok).toBe(false);
    expect(failed(withExport)).toMatch(`the log ends at entry 14, but entry ${last.sequence} was exported in audit-x: its tail was cut`);
  });

  it('a torn last line fails verify and is named', async () => {
    const { file } = await signedLog();
    appendFileSync(file, '{"sequence":99,"what":"half an ent');
    const v = await verifyLogFile(file, trusted);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/line \d+ is incomplete \(\d+ bytes without a newline\): a torn append/);
    expect(v.unproven.some((u) => /incomplete/.test(u.why))).toBe(true);
  });

  it('an emptied file fails verify', async () => {
    const { file } = await signedLog();
    writeFileSync(file, '');
    const v = await verifyLogFile(file, trusted);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/no entries: an emptied log cannot be told from a new one by the file alone/);
  });

  it('an attacker with the key can re-sign a rewritten log: only marks from outside the file (exports, audit.log.v1) show the fork', async () => {
    const { file, entries } = await signedLog();
    const original = entries[entries.length - 1];
    write(file, rechain(entries.filter((_, i) => i !== 4), key));
    expect((await verifyLogFile(file, trusted)).ok).toBe(true);
    const v = await verifyLogFile(file, trusted, [{ sequence: original.sequence - 1, hash: entries[original.sequence - 1].hash, where: 'exported in audit-x' }]);
    expect(v.ok).toBe(false);
    expect(failed(v)).toMatch(/is not the one exported in audit-x: the log was rewritten or replaced from there \(a fork\)/);
  });
});
