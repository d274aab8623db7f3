// Event-time sliding window of counters, kept as a ring of fixed-width buckets so memory per key
// is constant however many records arrive.

export class SlidingCounter {
  private readonly buckets: Float64Array;
  private readonly bucketMs: number;
  /** index (in bucket units since epoch) of the newest bucket */
  private head = -Infinity;
  private sum = 0;

  constructor(windowMs: number, buckets = 10) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.buckets = new Float64Array(buckets);
  }

  /** Adds `n` at event time `t` and returns the count over the window ending at `t`. */
  add(t: number, n = 1): number {
    const idx = Math.floor(t / this.bucketMs);
    this.advance(idx);
    // a record older than the window (late arrival) still counts in the oldest bucket it fits
    const slot = idx >= this.head - this.buckets.length + 1 ? idx : this.head - this.buckets.length + 1;
    this.buckets[mod(slot, this.buckets.length)] += n;
    this.sum += n;
    return this.sum;
  }

  /** Count over the window ending at `t` (without adding). */
  countAt(t: number): number {
    this.advance(Math.floor(t / this.bucketMs));
    return this.sum;
  }

  private advance(idx: number): void {
    if (idx <= this.head) return;
    const steps = idx - this.head;
    if (steps >= this.buckets.length || !Number.isFinite(this.head)) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let i = 1; i <= steps; i++) {
        const slot = mod(this.head + i, this.buckets.length);
        this.sum -= this.buckets[slot];
        this.buckets[slot] = 0;
      }
    }
    this.head = idx;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
