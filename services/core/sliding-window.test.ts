import { SlidingCounter } from './sliding-window';

describe('SlidingCounter', () => {
  it('counts what falls inside the window ending at the latest event', () => {
    const c = new SlidingCounter(10_000, 10);
    for (let i = 0; i < 10; i++) c.add(i * 1000); // one per second, t = 0..9 s
    expect(c.countAt(9_999)).toBe(10);
    expect(c.countAt(10_500)).toBe(9); // the bucket of t=0 has left the window
    expect(c.countAt(18_999)).toBe(1);
    expect(c.countAt(19_000)).toBe(0);
    expect(c.countAt(40_000)).toBe(0);
  });

  it('keeps a late record in the oldest bucket instead of dropping or double counting it', () => {
    const c = new SlidingCounter(10_000, 10);
    c.add(50_000);
    expect(c.add(1_000)).toBe(2);
  });

  it('uses constant memory whatever the rate', () => {
    const c = new SlidingCounter(1_000, 10);
    for (let i = 0; i < 100_000; i++) c.add(i / 10);
    expect(c.countAt(9_999)).toBe(10_000); // t in [9 s, 10 s): 10 per ms
  });
});
