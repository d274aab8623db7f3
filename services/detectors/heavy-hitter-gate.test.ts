import { HeavyHitterGate } from './heavy-hitter-gate';

describe('HeavyHitterGate', () => {
  const gate = () => new HeavyHitterGate({ width: 1 << 10, depth: 4, halvingMs: 10_000, minRecords: 3 });

  it('admits a key from its third record on', () => {
    const g = gate();
    expect([1, 2, 3, 4].map((i) => g.admit('203.0.113.5', i))).toEqual([false, false, true, true]);
  });

  it('forgets old counts as event time passes (halved every period)', () => {
    const g = gate();
    g.admit('203.0.113.5', 0);
    g.admit('203.0.113.5', 1);
    // two periods later the 2 recorded have halved twice to 0: the key starts over
    expect(g.admit('203.0.113.5', 20_001)).toBe(false);
    expect(g.admit('203.0.113.5', 20_002)).toBe(false);
    expect(g.admit('203.0.113.5', 20_003)).toBe(true);
  });

  it('keeps a fixed size and refuses nearly all of many one-record keys', () => {
    const g = gate();
    const bytes = g.bytes;
    let admitted = 0;
    // 100 distinct keys per period against 1,024 counters per row: collisions stay rare
    for (let i = 0; i < 100_000; i++) if (g.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i * 100)) admitted++;
    expect(admitted).toBeLessThan(100);
    expect(g.bytes).toBe(bytes);
  });

  it('refuses a width that is not a power of two', () => {
    expect(() => new HeavyHitterGate({ width: 1000, depth: 4, halvingMs: 1000, minRecords: 3 })).toThrow(/power of two/);
  });
});
