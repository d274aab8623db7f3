// Property: for random chains, every tampered copy of an export fails verify. Deleting, reordering,
// inserting or altering entries fails the chain check itself, so detection does not rest on the
// file hashes alone; flipping any byte of the entries file or of the manifest fails verify. A signed
// log rewritten and re-chained fails verify, or verify lists the entries it touched as not proven.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { canonicalJson, entryHash, GENESIS_HASH } from './canonical';
import type { EntryDraft } from './chain';
import { ChainWriter } from './chain-writer';
import { isCheckpoint } from './checkpoint';
import { formatEntry, header, type ExportFormat } from './entries-file';
import { exportPeriod } from './export';
import { FileAuditStore } from './file-store';
import { generateSigningKey } from './signing';
import { MemoryAuditStore } from './store';
import { T0 } from './test-records';
import { verifyExport } from './verify-export';
import { verifyLogFile } from './verify-log';

const key = createPrivateKey(generateSigningKey().privatePem);
const trusted = createPublicKey(key);
const RUNS = Number(process.env.AUDIT_PROPERTY_RUNS ?? 40);
const root = mkdtempSync(path.join(tmpdir(), 'audit-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// any text, including what a spreadsheet or a CSV parser would trip on, and lone surrogates
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('', '=1+1', '"a,b"\r\n', "'x", '@sum', '\n'));
const draft = fc.record({
  actor: fc.record({ type: fc.constantFrom('detector', 'decider', 'enforcer', 'operator', 'system' as const), id: text }),
  what: text,
  why: text,
  result: text,
  ticket: fc.option(text, { nil: undefined }),
  ref: fc.option(fc.record({ kind: text, id: text }), { nil: undefined }),
});
const chainArb = fc.record({
  drafts: fc.array(draft, { minLength: 1, maxLength: 8 }),
  before: fc.nat({ max: 3 }),
  format: fc.constantFrom<ExportFormat>('ndjson', 'csv'),
});

let runs = 0;
/** Builds the chain (some entries before the period), exports the period, checks the clean copy verifies. */
async function exported(c: { drafts: Array<Omit<EntryDraft, '@timestamp' | 'source_id'>>; before: number; format: ExportFormat }) {
  const store = new MemoryAuditStore();
  const clock = new ManualClock(T0);
  const writer = new ChainWriter({ store, clock, log: silentLogger });
  for (let i = 0; i < c.before; i++) await writer.write([{ '@timestamp': '2026-03-01T00:00:00Z', source_id: `before-${i}`, actor: { type: 'system', id: 's' }, what: 'w', why: 'y', result: 'r' }]);
  clock.set(T0 + 60_000);
  for (const [i, d] of c.drafts.entries()) {
    await writer.write([{ ...d, '@timestamp': '2026-03-01T00:01:00Z', source_id: `s-${i}` }]);
    clock.advance(1000);
  }
  const parentDir = path.join(root, String(runs++));
  const { dir, manifest } = await exportPeriod(store.entries(), { fromMs: T0 + 60_000, toMs: T0 + 3_600_000, format: c.format, parentDir, key, allowlist: [], nowMs: T0 + 3_600_000 });
  const clean = await verifyExport(dir, trusted);
  if (!clean.ok) throw new Error(`the untampered export does not verify: ${JSON.stringify(clean.checks)}`);
  const entries = store.all.filter((e) => e.sequence >= (manifest.first?.sequence ?? Infinity));
  const copy = (name: string) => {
    const to = path.join(parentDir, name);
    cpSync(dir, to, { recursive: true });
    return to;
  };
  return { dir, entries, format: c.format, entriesFile: manifest.entries.file, copy };
}

/** Rewrites the entries file from a list of entries, as someone editing the file would. */
function rewrite(dir: string, file: string, format: ExportFormat, entries: AuditEntry[]): void {
  writeFileSync(path.join(dir, file), header(format) + entries.map((e) => formatEntry(e, format)).join(''));
}

type EntryTamper = (es: AuditEntry[], i: number, j: number) => AuditEntry[] | undefined;
const TAMPERS: Record<string, EntryTamper> = {
  delete: (es, i) => es.filter((_, k) => k !== i),
  reorder: (es, i, j) => (i === j ? undefined : es.map((e, k) => (k === i ? es[j] : k === j ? es[i] : e))),
  'insert a copy': (es, i, j) => [...es.slice(0, i), es[j], ...es.slice(i)],
  'insert a forged entry with a valid hash': (es, i) => {
    const base = es[i];
    const forged = { ...base, sequence: base.sequence, what: `${base.what} (forged)` };
    return [...es.slice(0, i), { ...forged, hash: entryHash(forged) }, ...es.slice(i)];
  },
  'alter a field': (es, i) => es.map((e, k) => (k === i ? { ...e, why: `${e.why}!` } : e)),
  'alter a field and re-hash it': (es, i) => es.map((e, k) => (k === i ? { ...e, result: `${e.result}?`, hash: entryHash({ ...e, result: `${e.result}?` }) } : e)),
};

describe('tampering with an export is always detected', () => {
  it.each(Object.keys(TAMPERS))('%s: the chain check fails', async (name) => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), fc.nat(), async (c, a, b) => {
        const x = await exported(c);
        const i = a % x.entries.length;
        const j = b % x.entries.length;
        const tampered = TAMPERS[name](x.entries, i, j);
        if (!tampered) return;
        const dir = x.copy('tampered');
        rewrite(dir, x.entriesFile, x.format, tampered);
        const v = await verifyExport(dir, trusted);
        expect(v.ok).toBe(false);
        expect(v.checks.find((k) => k.name === 'chain')!.ok).toBe(false);
        expect(v.broken).toBeDefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('flipping any byte of the entries file fails verify', async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (c, at, mask) => {
        const x = await exported(c);
        const dir = x.copy('flipped');
        const file = path.join(dir, x.entriesFile);
        const bytes = readFileSync(file);
        bytes[at % bytes.length] ^= mask;
        writeFileSync(file, bytes);
        const v = await verifyExport(dir, trusted);
        expect(v.ok).toBe(false);
        expect(v.checks.find((k) => k.name === 'files')!.ok).toBe(false);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('flipping any byte of the manifest, or editing one of its fields, fails verify', async () => {
    const edits: Array<(m: any) => void> = [
      (m) => (m.entries.count += 1),
      (m) => (m.last = m.last && { ...m.last, hash: '0'.repeat(64) }),
      (m) => (m.period.to = '2030-01-01T00:00:00.000Z'),
      (m) => (m.files[m.entries.file] = 'f'.repeat(64)),
      (m) => (m.counts_by_actor.operator = 99),
    ];
    await fc.assert(
      fc.asyncProperty(chainArb, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: edits.length - 1 }), fc.boolean(), async (c, at, mask, edit, flip) => {
        const x = await exported(c);
        const dir = x.copy('manifest');
        const file = path.join(dir, 'manifest.json');
        if (flip) {
          const bytes = readFileSync(file);
          bytes[at % bytes.length] ^= mask;
          writeFileSync(file, bytes);
        } else {
          const m = JSON.parse(readFileSync(file, 'utf8'));
          edits[edit](m);
          writeFileSync(file, JSON.stringify(m, null, 2) + '\n');
        }
        const v = await verifyExport(dir, trusted);
        expect(v.ok).toBe(false);
        expect(v.checks.find((k) => k.name === 'signature')!.ok).toBe(false);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('tampering with a signed log is detected, or the entries it touched are reported as not proven', () => {
  const file = () => path.join(mkdtempSync(path.join(root, 'log-')), 'audit.ndjson');
  const logArb = fc.record({ drafts: fc.array(draft, { minLength: 1, maxLength: 14 }), every: fc.integer({ min: 1, max: 6 }), close: fc.boolean() });
  const read = (f: string): AuditEntry[] =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  /** renumbered and re-hashed after the edit, as an attacker without the key would leave it */
  const rechain = (es: AuditEntry[]): AuditEntry[] => {
    let prev = GENESIS_HASH;
    return es.map((e, sequence) => {
      const { hash: _old, ...body } = { ...e, sequence, hash_prev: prev };
      const out = { ...body, hash: entryHash(body) };
      prev = out.hash;
      return out;
    });
  };

  it.each(['delete', 'insert a forged entry with a valid hash', 'alter a field and re-hash it'])('%s, re-chained', async (name) => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.nat(), async (c, a) => {
        const f = file();
        const clock = new ManualClock(T0);
        const writer = new ChainWriter({ store: new FileAuditStore(f), clock, log: silentLogger, checkpoints: { key, everyEntries: c.every, everySeconds: 3600 } });
        for (const [i, d] of c.drafts.entries()) await writer.write([{ ...d, '@timestamp': '2026-03-01T00:01:00Z', source_id: `s-${i}` }]);
        if (c.close) await writer.close();
        const entries = read(f);
        expect((await verifyLogFile(f, trusted)).checks[0].ok).toBe(true);
        const i = a % entries.length;
        const tampered = rechain(TAMPERS[name](entries, i, i)!);
        writeFileSync(f, tampered.map((e) => canonicalJson(e) + '\n').join(''));
        // deleting the last entry when no checkpoint follows it is a cut tail: only a mark from
        // outside the file (an export, audit.log.v1) shows it
        const original = entries[entries.length - 1];
        const cutTail = name === 'delete' && i === entries.length - 1 && !isCheckpoint(original);
        const v = await verifyLogFile(f, trusted, cutTail ? [{ sequence: original.sequence, hash: original.hash, where: 'exported' }] : []);
        const touched = Math.min(i, tampered.length - 1);
        expect(!v.ok || v.unproven.some((u) => u.to >= touched)).toBe(true);
        if (!c.close) await writer.close();
      }),
      { numRuns: RUNS },
    );
  });
});
