// Counts per time bucket for the console's charts (flow rate, findings by family), by the time the
// console received them: a replay of last week's capture shows as traffic now. Fixed number of
// buckets: old ones fall off.
export interface SeriesPoint {
  t: number;
  counts: Record<string, number>;
}

export class Series {
  private readonly points: SeriesPoint[] = [];

  constructor(
    readonly bucketMs: number,
    readonly buckets: number,
  ) {}

  add(now: number, label: string, by = 1): void {
    const t = Math.floor(now / this.bucketMs) * this.bucketMs;
    let last = this.points[this.points.length - 1];
    if (!last || last.t !== t) {
      this.points.push((last = { t, counts: {} }));
      if (this.points.length > this.buckets) this.points.shift();
    }
    last.counts[label] = (last.counts[label] ?? 0) + by;
  }

  /** The last `buckets` buckets up to now, empty ones included, oldest first. */
  snapshot(now: number): SeriesPoint[] {
    const end = Math.floor(now / this.bucketMs) * this.bucketMs;
    const byT = new Map(this.points.map((p) => [p.t, p.counts]));
    const out: SeriesPoint[] = [];
    for (let i = this.buckets - 1; i >= 0; i--) {
      const t = end - i * this.bucketMs;
      out.push({ t, counts: { ...(byT.get(t) ?? {}) } });
    }
    return out;
  }
}
