import { DistinctWindow, MAX_VALUE_LENGTH } from './distinct-window';

describe('DistinctWindow', () => {
  it('counts each value once within the window and forgets values older than it', () => {
    const w = new DistinctWindow(10_000, 100);
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

  it('stays within its bound, dropping the least recently seen value and saying so', () => {
    const w = new DistinctWindow(60_000, 3);
    expect([w.add(0, 'a'), w.add(1, 'b'), w.add(2, 'c'), w.add(3, 'a'), w.add(4, 'd')]).toEqual([false, false, false, false, true]);
    expect(w.size(4)).toBe(3);
    expect(w.has(4, 'b')).toBe(false);
    expect(w.has(4, 'a')).toBe(true);
  });

  it('clips long values, so a hostile value cannot grow memory', () => {
    const w = new DistinctWindow(60_000, 10);
    const long = 'x'.repeat(MAX_VALUE_LENGTH * 4);
    w.add(0, long);
    w.add(1, `${long}y`);
    expect(w.size(1)).toBe(1);
    expect(w.has(1, long.slice(0, MAX_VALUE_LENGTH))).toBe(true);
  });

  it('keeps a newer sighting when a late record brings an older one', () => {
    const w = new DistinctWindow(10_000, 10);
    w.add(9_000, 'a');
    w.add(1_000, 'a');
    expect(w.has(15_000, 'a')).toBe(true);
  });

  it('takes a value out before its time, and ignores one it never held', () => {
    const w = new DistinctWindow(60_000, 10);
    w.add(0, 'call-1');
    w.add(1, 'call-2');
    w.delete('call-1');
    w.delete('call-9');
    expect(w.size(2)).toBe(1);
    expect(w.has(2, 'call-1')).toBe(false);
  });
});
