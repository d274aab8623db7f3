import { BoundedMap } from './bounded-map';

test('the size cap pushes out the oldest entry and reports it', () => {
  const evicted: string[] = [];
  const m = new BoundedMap<string, number>(2, (k) => evicted.push(k));
  m.set('a', 1);
  m.set('b', 2);
  m.set('a', 10); // replacing a key is not growth
  m.set('c', 3);
  expect(evicted).toEqual(['a']);
  expect([...m.entries()]).toEqual([
    ['b', 2],
    ['c', 3],
  ]);
});

test('touch makes it an LRU', () => {
  const evicted: string[] = [];
  const m = new BoundedMap<string, number>(2, (k) => evicted.push(k));
  m.set('a', 1);
  m.set('b', 2);
  m.touch('a');
  m.set('c', 3);
  expect(evicted).toEqual(['b']);
});

test('shiftWhile removes expired entries from the head only', () => {
  const m = new BoundedMap<string, number>(10);
  for (const [k, v] of [['a', 1], ['b', 2], ['c', 9], ['d', 3]] as const) m.set(k, v);
  expect(m.shiftWhile((v) => v < 5)).toEqual([
    ['a', 1],
    ['b', 2],
  ]);
  expect([...m.entries()].map(([k]) => k)).toEqual(['c', 'd']); // 'd' waits behind 'c'
  expect(m.shiftWhile(() => false)).toEqual([]);
});
