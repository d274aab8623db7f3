import { MAX_VALUE_LENGTH, SAMPLE_SIZE, WindowedDistinct, type DistinctOptions } from './windowed-distinct';

const opts = (windowMs: number, exactMax: number): DistinctOptions => ({ windowMs, buckets: 10, exactMax, precision: 9 });

describe('WindowedDistinct', () => {
  it('counts each value once within the window and forgets values older than it', () => {
    const w = new WindowedDistinct(opts(10_000, 100));
    w.add(0, 'a');
    w.add(1_000, 'b');
    w.add(2_000, 'a');
    expect(w.size(2_000)).toBe(2);
    // 'b' was last seen at 1 s, 'a' at 2 s
    expect(w.size(11_000)).toBe(1);
    expect(w.has(11_000, 'a')).toBe(true);
    expect(w.has(11_000, 'b')).toBe(false);
    expect(w.size(12_000)).toBe(0);
  });

  it('clips long values, so a hostile value cannot grow memory', () => {
    const w = new WindowedDistinct(opts(60_000, 10));
    const long = 'x'.repeat(MAX_VALUE_LENGTH * 4);
    w.add(0, long);
    w.add(1, `${long}y`);
    expect(w.size(1)).toBe(1);
    expect(w.has(1, long.slice(0, MAX_VALUE_LENGTH))).toBe(true);
  });

  it('keeps a newer sighting when a late record brings an older one', () => {
    const w = new WindowedDistinct(opts(10_000, 10));
    w.add(9_000, 'a');
    w.add(1_000, 'a');
    expect(w.has(15_000, 'a')).toBe(true);
  });

  it('takes a value out before its time, and ignores one it never held', () => {
    const w = new WindowedDistinct(opts(60_000, 10));
    w.add(0, 'call-1');
    w.add(1, 'call-2');
    w.delete('call-1');
    w.delete('call-9');
    expect(w.size(2)).toBe(1);
    expect(w.has(2, 'call-1')).toBe(false);
  });

  it('past its exact bound estimates a wordlist of any size in fixed memory, within a few per cent', () => {
    const w = new WindowedDistinct(opts(3_600_000, 128));
    let turned = 0;
    for (let i = 0; i < 100_000; i++) if (w.add(i * 10, `user${i}`)) turned++;
    expect(turned).toBe(1);
    expect(w.sketched).toBe(true);
    const n = w.size(1_000_000);
    expect(Math.abs(n - 100_000) / 100_000).toBeLessThan(0.15);
    // repeats add nothing
    for (let i = 0; i < 1000; i++) w.add(1_000_000, 'user7');
    expect(Math.abs(w.size(1_000_000) - n)).toBeLessThanOrEqual(1);
    const bytes = JSON.stringify(w.toJSON()).length;
    expect(bytes).toBeLessThan(8 * 1024);
  });

  it('lets the sketch slide with the window: values older than it leave', () => {
    const w = new WindowedDistinct(opts(10_000, 4));
    for (let i = 0; i < 50; i++) w.add(i * 10, `v${i}`);
    expect(w.sketched).toBe(true);
    expect(w.size(500)).toBeGreaterThan(40);
    for (let i = 0; i < 5; i++) w.add(20_000 + i, `late${i}`);
    expect(w.size(20_010)).toBe(5);
    expect(w.size(40_000)).toBe(0);
  });

  it('survives export and import, exact and sketched alike', () => {
    for (const exactMax of [1000, 8]) {
      const a = new WindowedDistinct(opts(60_000, exactMax));
      for (let i = 0; i < 100; i++) a.add(i * 100, `n${i % 50}`);
      const b = WindowedDistinct.from(opts(60_000, exactMax), JSON.parse(JSON.stringify(a.toJSON())));
      expect(b.size(10_000)).toBe(a.size(10_000));
      a.add(10_001, 'new');
      b.add(10_001, 'new');
      expect(b.size(30_000)).toBe(a.size(30_000));
    }
  });
  it('quotes the values it holds, oldest sighting first, and only those still in the window', () => {
    const w = new WindowedDistinct(opts(10_000, 100));
    ['101', '202', '303'].forEach((v, i) => w.add(i * 1000, v));
    w.add(3_000, '101');
    expect(w.sample(3_000)).toEqual(['202', '303', '101']);
    expect(w.sample(3_000, 2)).toEqual(['202', '303']);
    expect(w.sample(11_500)).toEqual(['303', '101']);
  });

  it('once sketched keeps a bounded sample to quote, which makes room as its values leave the window', () => {
    const w = new WindowedDistinct(opts(10_000, 128));
    for (let i = 0; i < 100_000; i++) w.add(Math.floor(i / 100), `user${i}`);
    expect(w.sketched).toBe(true);
    // the first values seen stay quoted while the window holds them, whatever came after
    expect(w.sample(999)).toEqual(Array.from({ length: SAMPLE_SIZE }, (_, i) => `user${i}`));
    // a repeat does not take a second place
    w.add(1_000, 'user0');
    expect(w.sample(1_000).filter((v) => v === 'user0')).toHaveLength(1);
    // 10 s on, those have left: new values are kept again, at most SAMPLE_SIZE
    for (let i = 0; i < 50; i++) w.add(12_000 + i, `late${i}`);
    expect(w.sample(12_100)).toEqual(Array.from({ length: SAMPLE_SIZE }, (_, i) => `late${i}`));
    // and the sample goes with the state
    const b = WindowedDistinct.from(opts(10_000, 128), JSON.parse(JSON.stringify(w.toJSON())));
    expect(b.sample(12_100)).toEqual(w.sample(12_100));
    expect(JSON.stringify(w.toJSON()).length).toBeLessThan(8 * 1024);
  });
});
