// Admission to the engine's per-key state under pressure. A flood of forged UDP sources sends one or
// two packets from each of millions of addresses; giving each its own window would spend the key cap
// on addresses that never come back and evict the real flooders. So once a detector holds many keys,
// a new key gets state only after a count-min sketch (fixed memory, whatever the number of
// addresses) estimates it has sent a few records recently. Counters are halved as event time passes,
// so the sketch tracks recent rates and an address that sent a burst an hour ago starts again at 0.
// Count-min only over-estimates: a real heavy hitter is never refused once it has sent `minRecords`.

export interface GateOptions {
  /** counters per row; a power of two */
  width: number;
  /** rows (independent hashes); the estimate is the smallest of them */
  depth: number;
  /** event time between halvings of every counter */
  halvingMs: number;
  /** records a new key must have sent (estimated) before it is admitted under pressure */
  minRecords: number;
}

export const DEFAULT_GATE: GateOptions = { width: 1 << 16, depth: 4, halvingMs: 10_000, minRecords: 3 };

export class HeavyHitterGate {
  private readonly counters: Uint32Array;
  private readonly mask: number;
  private readonly rows: Uint32Array;
  private halvedAt = -Infinity;

  constructor(private readonly opts: GateOptions = DEFAULT_GATE) {
    if (opts.width < 1 || (opts.width & (opts.width - 1)) !== 0) throw new Error(`sketch width must be a power of two, got ${opts.width}`);
    this.counters = new Uint32Array(opts.width * opts.depth);
    this.mask = opts.width - 1;
    this.rows = new Uint32Array(opts.depth);
  }

  /** Bytes held by the sketch: fixed at construction. */
  get bytes(): number {
    return this.counters.byteLength + this.rows.byteLength;
  }

  /** Counts one record of `key` at event time `t`; true once the key has sent enough to be admitted. */
  admit(key: string, t: number): boolean {
    this.decay(t);
    this.locate(key);
    let min = 0xffffffff;
    for (let i = 0; i < this.opts.depth; i++) min = Math.min(min, this.counters[this.rows[i]]);
    // conservative update: raise only the counters at the minimum, which keeps the collisions of
    // millions of one-packet sources from adding up to an admission
    const next = min + 1;
    for (let i = 0; i < this.opts.depth; i++) if (this.counters[this.rows[i]] < next) this.counters[this.rows[i]] = next;
    return next >= this.opts.minRecords;
  }

  /** Fills `rows` with the counter index of `key` in each row (double hashing of two FNV-1a hashes). */
  private locate(key: string): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h2 = (h2 ^ (h2 >>> 15)) | 1;
    for (let i = 0; i < this.opts.depth; i++) this.rows[i] = i * this.opts.width + ((h1 + Math.imul(i, h2)) & this.mask);
  }

  private decay(t: number): void {
    if (!Number.isFinite(this.halvedAt)) {
      this.halvedAt = t;
      return;
    }
    const periods = Math.floor((t - this.halvedAt) / this.opts.halvingMs);
    if (periods <= 0) return;
    this.halvedAt += periods * this.opts.halvingMs;
    const shift = Math.min(periods, 31);
    for (let i = 0; i < this.counters.length; i++) this.counters[i] >>>= shift;
  }

  toJSON(): { halvedAt: number | null; counters: string } {
    return { halvedAt: Number.isFinite(this.halvedAt) ? this.halvedAt : null, counters: Buffer.from(this.counters.buffer, this.counters.byteOffset, this.counters.byteLength).toString('base64') };
  }

  static from(opts: GateOptions, s: { halvedAt: number | null; counters: string }): HeavyHitterGate {
    const gate = new HeavyHitterGate(opts);
    const bytes = Buffer.from(s.counters, 'base64');
    if (bytes.length !== gate.counters.byteLength) throw new Error(`sketch of ${bytes.length} bytes, expected ${gate.counters.byteLength}`);
    new Uint8Array(gate.counters.buffer).set(bytes);
    gate.halvedAt = s.halvedAt === null ? -Infinity : Number(s.halvedAt);
    return gate;
  }
}
