// A k-way merge of time-ordered record streams into one time-ordered stream, with memory bounded by
// the number of streams (one pending record each), not by their length. Ties go to the stream
// listed first, so the output is deterministic.

export interface Timed<T> {
  atMs: number;
  value: T;
}

interface Head<T> {
  item: Timed<T>;
  order: number;
  rest: Iterator<Timed<T>>;
}

const before = <T>(a: Head<T>, b: Head<T>): boolean => a.item.atMs < b.item.atMs || (a.item.atMs === b.item.atMs && a.order < b.order);

/** Each stream must yield non-decreasing times; the merge yields every item of every stream. */
export function* mergeByTime<T>(streams: Iterable<Iterable<Timed<T>>>): Generator<Timed<T>> {
  const heap: Array<Head<T>> = [];
  let order = 0;
  for (const s of streams) {
    const rest = s[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) push(heap, { item: first.value, order: order, rest });
    order++;
  }
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.item;
    const next = top.rest.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(heap, 0);
      }
    } else {
      if (next.value.atMs < top.item.atMs) throw new Error(`mergeByTime: stream ${top.order} went back in time`);
      top.item = next.value;
      down(heap, 0);
    }
  }
}

function push<T>(heap: Array<Head<T>>, h: Head<T>): void {
  heap.push(h);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(heap[i]!, heap[p]!)) break;
    [heap[i], heap[p]] = [heap[p]!, heap[i]!];
    i = p;
  }
}

function down<T>(heap: Array<Head<T>>, i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}
