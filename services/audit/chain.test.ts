import { canonicalJson, entryHash, GENESIS_HASH, sha256Hex } from './canonical';
import { GENESIS, link } from './chain';
import { findingDraft } from './drafts';
import { finding, T0 } from './test-records';
import { ChainVerifier } from './verify-chain';
import { validateAuditEntry } from '../core/validate';

describe('canonical serialization', () => {
  it('sorts keys at every level and leaves out undefined, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'x' }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[2,{"y":"x","z":1}]},"b":1}');
    expect(canonicalJson({ b: 1, a: 2 })).toBe(canonicalJson({ a: 2, b: 1 }));
  });

  it('hashes an entry without its own hash field, hash_prev included', () => {
    const [e] = link(GENESIS, [findingDraft(finding('f1'))], T0).entries;
    const { hash, ...rest } = e;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
    expect(entryHash({ ...e, hash: 'anything' })).toBe(hash);
    expect(entryHash({ ...e, hash_prev: '1'.repeat(64) })).not.toBe(hash);
  });
});

describe('linking', () => {
  it('numbers entries from 0 without gaps, starts from 64 zeros and links each to the one before', () => {
    const first = link(GENESIS, [findingDraft(finding('f1')), findingDraft(finding('f2'))], T0);
    const second = link(first.head, [findingDraft(finding('f3'))], T0 + 1000);
    const all = [...first.entries, ...second.entries];
    expect(all.map((e) => e.sequence)).toEqual([0, 1, 2]);
    expect(all[0].hash_prev).toBe(GENESIS_HASH);
    expect(all[1].hash_prev).toBe(all[0].hash);
    expect(all[2].hash_prev).toBe(all[1].hash);
    for (const e of all) expect(validateAuditEntry(e)).toBe(true);
    expect(second.head).toEqual({ nextSequence: 3, lastHash: all[2].hash, lastRecordedAtMs: T0 + 1000 });
  });

  it('never lets recorded_at go backwards when the clock does', () => {
    const a = link(GENESIS, [findingDraft(finding('f1'))], T0 + 5000);
    const b = link(a.head, [findingDraft(finding('f2'))], T0);
    expect(b.entries[0].recorded_at).toBe(a.entries[0].recorded_at);
  });

  it('leaves out empty optional fields, which a CSV could not tell from absent ones', () => {
    const d = { ...findingDraft(finding('f1')), ticket: '', ref: { kind: '', id: 'x' } };
    const [e] = link(GENESIS, [d], T0).entries;
    expect(e).not.toHaveProperty('ticket');
    expect(e).not.toHaveProperty('ref');
  });
});

describe('ChainVerifier', () => {
  const chain = () => link(GENESIS, [1, 2, 3, 4].map((i) => findingDraft(finding(`f${i}`))), T0).entries;
  const check = (entries: unknown[]) => {
    const v = new ChainVerifier({ sequence: 0, hashPrev: GENESIS_HASH });
    entries.forEach((e, i) => v.push(e, i + 1));
    return v;
  };

  it('accepts an intact chain', () => {
    const v = check(chain());
    expect(v.firstBreak).toBeUndefined();
    expect(v.count).toBe(4);
  });

  it.each([
    ['an altered field', (c: any[]) => (c[2] = { ...c[2], why: 'nothing happened' }), 2, /hash does not match/],
    ['a removed entry', (c: any[]) => c.splice(1, 1), 1, /sequence 2 where 1 was expected/],
    ['two entries swapped', (c: any[]) => ([c[1], c[2]] = [c[2], c[1]]), 1, /sequence 2 where 1 was expected/],
    ['a re-hashed entry (its successor no longer links)', (c: any[]) => (c[1] = { ...c[1], why: 'x', hash: entryHash({ ...c[1], why: 'x' }) }), 2, /hash_prev does not match/],
    ['an entry that is not one', (c: any[]) => (c[3] = { sequence: 3 }), 3, /not an audit entry/],
  ])('names the first broken entry after %s', (_what, tamper, sequence, why) => {
    const c = chain();
    tamper(c);
    const br = check(c).firstBreak!;
    expect(br.sequence).toBe(sequence);
    expect(br.why).toMatch(why);
  });
});
