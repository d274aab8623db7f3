// Distinct values (users tried, hosts probed, numbers dialled) seen within an event-time window,
// in memory that does not grow with the traffic. Values are counted exactly up to a bound; past it
// the set turns into a HyperLogLog sketch with one register array per time bucket (the window is
// their union), so a wordlist of a million users costs the same few KiB as one of a thousand.
// Thresholds sit far below the bound, so decisions are taken on exact counts; above it the count is
// an estimate (standard error 1.04/sqrt(registers), 4.6 % at 512 registers).
//
// A finding quotes what it counted (the probed users, the numbers dialled): while exact, the set
// is its own sample; once sketched it keeps the first SAMPLE_SIZE values seen within the window
// beside the sketch (each leaves when its window has passed, freeing room for the next new one),
// so memory stays constant.
//
// Hand-written rather than an npm package: the one HyperLogLog on npm needs a native murmurhash
// addon, and none keeps per-bucket registers (a sliding window) or serialises into our snapshots.

/** Longest value kept; longer ones are clipped (the sip-flow schema's short-string limit). */
export const MAX_VALUE_LENGTH = 256;

/** Values a sketched set keeps to quote (the finding schema's bound per set). */
export const SAMPLE_SIZE = 20;

export interface DistinctOptions {
  windowMs: number;
  /** buckets of the sketch's sliding window */
  buckets: number;
  /** distinct values held exactly; one more turns the set into a sketch */
  exactMax: number;
  /** log2 of the sketch's registers per bucket */
  precision: number;
}

export class WindowedDistinct {
  /** exact mode: value -> last seen (epoch ms), least recently seen first; undefined once sketched */
  private seen: Map<string, number> | undefined = new Map();
  private sketch: BucketedSketch | undefined;
  /** sketch mode only: up to SAMPLE_SIZE values seen within the window -> last seen */
  private kept: Map<string, number> | undefined;

  private readonly bucketMs: number;

  constructor(private readonly o: DistinctOptions) {
    this.bucketMs = Math.max(1, Math.ceil(o.windowMs / o.buckets));
  }

  get sketched(): boolean {
    return this.sketch !== undefined;
  }

  /** Adds a value seen at `t`; returns true when this add turned the set into a sketch. */
  add(t: number, value: string): boolean {
    const v = clip(value);
    if (this.sketch) {
      this.sketch.add(t, v);
      this.keep(t, v);
      return false;
    }
    const seen = this.seen!;
    const prev = seen.get(v);
    // re-insert so the order stays by last sight; a late record leaves a newer sighting in place.
    // A value seen again within one bucket (a tenth of the window, the counters' granularity too)
    // keeps its place: a phone that re-registers every minute costs no Map churn in a day's window
    if (prev === undefined || t - prev >= this.bucketMs) {
      seen.delete(v);
      seen.set(v, t);
    }
    this.expire(t);
    if (seen.size <= this.o.exactMax) return false;
    const sketch = new BucketedSketch(this.o);
    for (const [value, at] of seen) sketch.add(at, value);
    sketch.advance(t);
    this.sketch = sketch;
    // the values seen first within the window stay quotable
    this.kept = new Map();
    for (const [value, at] of seen) {
      if (this.kept.size >= SAMPLE_SIZE) break;
      this.kept.set(value, at);
    }
    this.seen = undefined;
    return true;
  }

  /**
   * Up to `max` values seen within the window ending at `t`, oldest sighting first: the set itself
   * while exact; once sketched, the values it kept to quote.
   */
  sample(t: number, max = SAMPLE_SIZE): string[] {
    const from = this.seen ?? this.kept!;
    const out: string[] = [];
    for (const [v, at] of from) {
      if (out.length >= max) break;
      if (t - at < this.o.windowMs) out.push(v);
    }
    return out;
  }

  /** Sketch mode: remembers a value to quote while the sample has room (or refreshes it). */
  private keep(t: number, v: string): void {
    const kept = this.kept!;
    const at = kept.get(v);
    if (at !== undefined) {
      if (t > at) kept.set(v, t);
      return;
    }
    if (kept.size >= SAMPLE_SIZE) {
      for (const [old, oldAt] of kept) if (t - oldAt >= this.o.windowMs) kept.delete(old);
      if (kept.size >= SAMPLE_SIZE) return;
    }
    kept.set(v, t);
  }

  /** Takes a value out before its time (a call that ended); a sketch cannot, and keeps counting it. */
  delete(value: string): void {
    this.seen?.delete(clip(value));
    this.kept?.delete(clip(value));
  }

  /** Distinct values within the window ending at `t`. */
  size(t: number): number {
    if (this.sketch) {
      this.sketch.advance(t);
      return this.sketch.estimate();
    }
    this.expire(t);
    return this.seen!.size;
  }

  /** Whether a value was seen within the window; a sketch cannot tell and says no. */
  has(t: number, value: string): boolean {
    const at = this.seen?.get(clip(value));
    return at !== undefined && t - at < this.o.windowMs;
  }

  toJSON(): DistinctState {
    if (this.sketch) return { sketch: this.sketch.toJSON(), sample: [...this.kept!] };
    return { exact: [...this.seen!] };
  }

  static from(o: DistinctOptions, s: DistinctState): WindowedDistinct {
    const set = new WindowedDistinct(o);
    if (s.sketch) {
      set.sketch = BucketedSketch.from(o, s.sketch);
      set.seen = undefined;
      set.kept = new Map();
      for (const [v, at] of (Array.isArray(s.sample) ? s.sample : []).slice(0, SAMPLE_SIZE)) set.kept.set(String(v), Number(at));
    } else {
      for (const [v, at] of s.exact ?? []) set.seen!.set(String(v), Number(at));
    }
    return set;
  }

  private expire(t: number): void {
    // values are in last-seen order: stop at the first one still inside the window (a value that
    // arrived late may sit behind newer ones and leaves a little later; it never leaves early)
    for (const [v, at] of this.seen!) {
      if (t - at < this.o.windowMs) break;
      this.seen!.delete(v);
    }
  }
}

export interface DistinctState {
  exact?: Array<[string, number]>;
  sketch?: { head: number; registers: string };
  /** with a sketch: the values kept to quote, with their last sighting */
  sample?: Array<[string, number]>;
}

/** HyperLogLog registers per time bucket; the window's estimate is over their union. */
class BucketedSketch {
  private readonly m: number;
  private readonly bucketMs: number;
  private readonly registers: Uint8Array;
  /** register-wise maximum over the live buckets, kept as values arrive */
  private readonly union: Uint8Array;
  private head = -1;
  private cached = -1;

  constructor(private readonly o: DistinctOptions) {
    this.m = 1 << o.precision;
    this.bucketMs = Math.max(1, Math.ceil(o.windowMs / o.buckets));
    this.registers = new Uint8Array(this.m * o.buckets);
    this.union = new Uint8Array(this.m);
  }

  advance(t: number): void {
    const idx = Math.floor(t / this.bucketMs);
    if (idx <= this.head) return;
    const steps = Math.min(idx - this.head, this.o.buckets);
    for (let s = 1; s <= steps; s++) {
      const b = (idx - steps + s) % this.o.buckets;
      this.registers.fill(0, b * this.m, (b + 1) * this.m);
    }
    this.head = idx;
    this.union.fill(0);
    for (let b = 0; b < this.o.buckets; b++) {
      const base = b * this.m;
      for (let j = 0; j < this.m; j++) if (this.registers[base + j] > this.union[j]) this.union[j] = this.registers[base + j];
    }
    this.cached = -1;
  }

  add(t: number, value: string): void {
    this.advance(t);
    const h = hash32(value);
    const j = h >>> (32 - this.o.precision);
    // rank: position of the first 1 bit in the remaining bits (1-based), capped by their number
    const rest = (h << this.o.precision) | (1 << (this.o.precision - 1));
    const rank = Math.clz32(rest) + 1;
    const idx = Math.floor(t / this.bucketMs);
    const oldest = this.head - this.o.buckets + 1;
    const b = (idx >= oldest ? idx : oldest) % this.o.buckets;
    const cell = b * this.m + j;
    if (rank > this.registers[cell]) this.registers[cell] = rank;
    if (rank > this.union[j]) {
      this.union[j] = rank;
      this.cached = -1;
    }
  }

  estimate(): number {
    if (this.cached >= 0) return this.cached;
    let sum = 0;
    let zeros = 0;
    for (let j = 0; j < this.m; j++) {
      sum += 2 ** -this.union[j];
      if (this.union[j] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / this.m);
    let e = (alpha * this.m * this.m) / sum;
    // small range: linear counting is the better estimate while registers are still empty
    if (e <= 2.5 * this.m && zeros > 0) e = this.m * Math.log(this.m / zeros);
    this.cached = Math.round(e);
    return this.cached;
  }

  toJSON(): { head: number; registers: string } {
    return { head: this.head, registers: Buffer.from(this.registers).toString('base64') };
  }

  static from(o: DistinctOptions, s: { head: number; registers: string }): BucketedSketch {
    const sketch = new BucketedSketch(o);
    const regs = Buffer.from(s.registers, 'base64');
    if (regs.length !== sketch.registers.length) throw new Error(`sketch of ${regs.length} registers, expected ${sketch.registers.length}`);
    sketch.registers.set(regs);
    sketch.head = s.head;
    for (let b = 0; b < o.buckets; b++) for (let j = 0; j < sketch.m; j++) sketch.union[j] = Math.max(sketch.union[j], sketch.registers[b * sketch.m + j]);
    return sketch;
  }
}

function clip(v: string): string {
  return v.length > MAX_VALUE_LENGTH ? v.slice(0, MAX_VALUE_LENGTH) : v;
}

/** murmur3's 32-bit finaliser over FNV-1a: fast, deterministic across runs, well mixed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
