// Event-time sliding window of several counters that share one clock: one ring of fixed-width
// buckets per counter, laid out in a single typed array, so a key's memory is constant however
// many records it sends, and a record costs no allocation. Counters are added as a detector first
// uses them (the ring grows by one row); their number is small and fixed by the detector's code.

export class CounterRing {
  /** row-major: counter i's buckets are cells [i * buckets, (i + 1) * buckets) */
  private cells: Float64Array;
  private sums: Float64Array;
  /** index (in bucket units since epoch) of the newest bucket; -1 before the first record */
  private head = -1;

  constructor(
    readonly bucketMs: number,
    readonly buckets: number,
    counters: number,
  ) {
    this.cells = new Float64Array(buckets * counters);
    this.sums = new Float64Array(counters);
  }

  /** Moves the window to end at `t` (expired buckets leave the sums). */
  advance(t: number): void {
    const idx = Math.floor(t / this.bucketMs);
    if (idx <= this.head) return;
    const steps = idx - this.head;
    const n = this.buckets;
    if (steps >= n || this.head < 0) {
      this.cells.fill(0);
      this.sums.fill(0);
    } else {
      for (let s = 1; s <= steps; s++) {
        const b = (this.head + s) % n;
        for (let i = 0; i < this.sums.length; i++) {
          const cell = i * n + b;
          this.sums[i] -= this.cells[cell];
          this.cells[cell] = 0;
        }
      }
    }
    this.head = idx;
  }

  /**
   * Adds `n` to counter `i` at event time `t` (call advance(t) first). A record older than the
   * window (a late arrival) counts in the oldest bucket still held.
   */
  add(t: number, i: number, n: number): void {
    if (i >= this.sums.length) this.grow(i + 1);
    const idx = Math.floor(t / this.bucketMs);
    const oldest = this.head - this.buckets + 1;
    const b = (idx >= oldest ? idx : oldest) % this.buckets;
    this.cells[i * this.buckets + b] += n;
    this.sums[i] += n;
  }

  /** Counter `i` over the window ending where advance() last moved it. */
  sum(i: number): number {
    return i < this.sums.length ? this.sums[i] : 0;
  }

  private grow(width: number): void {
    const cells = new Float64Array(this.buckets * width);
    cells.set(this.cells);
    const sums = new Float64Array(width);
    sums.set(this.sums);
    this.cells = cells;
    this.sums = sums;
  }

  toJSON(): RingState {
    return { head: this.head, width: this.sums.length, cells: packFloats(this.cells) };
  }

  static from(bucketMs: number, buckets: number, s: RingState): CounterRing {
    const ring = new CounterRing(bucketMs, buckets, s.width);
    const cells = unpackFloats(s.cells);
    if (cells.length !== buckets * s.width) throw new Error(`ring of ${cells.length} cells, expected ${buckets * s.width}`);
    ring.cells.set(cells);
    for (let i = 0; i < s.width; i++) {
      let sum = 0;
      for (let b = 0; b < buckets; b++) sum += cells[i * buckets + b];
      ring.sums[i] = sum;
    }
    ring.head = s.head;
    return ring;
  }
}

export interface RingState {
  head: number;
  width: number;
  /** base64 of the little-endian float64 cells */
  cells: string;
}

export function packFloats(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function unpackFloats(s: string): Float64Array {
  const b = Buffer.from(s, 'base64');
  if (b.length % 8 !== 0) throw new Error('float array of a length that is not a multiple of 8');
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
}
