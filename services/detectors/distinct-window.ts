// Distinct values (users tried, hosts probed, numbers dialed) seen within an event-time window.
// The values come from the attacker, so the set is bounded twice: each value is clipped, and past
// `max` values the least recently seen one is dropped. The count then saturates at `max`, which is
// far above any threshold, so detection holds while memory stays fixed.

/** Longest value kept; longer ones are clipped (the sip-flow schema's short-string limit). */
export const MAX_VALUE_LENGTH = 256;

export class DistinctWindow {
  /** value -> last seen (epoch ms); Map order is least recently seen first */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly max: number,
  ) {}

  /** Adds a value seen at `t`; returns true when another value had to be dropped to stay bounded. */
  add(t: number, value: string): boolean {
    const v = value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value;
    const prev = this.seen.get(v);
    if (prev === undefined || t > prev) {
      // re-insert so the order stays by last sight; a late record leaves a newer sighting in place
      this.seen.delete(v);
      this.seen.set(v, t);
    }
    this.expire(t);
    if (this.seen.size <= this.max) return false;
    const oldest = this.seen.keys().next();
    if (!oldest.done) this.seen.delete(oldest.value);
    return true;
  }

  /** Takes a value out before its time (a call that ended); unknown values are ignored. */
  delete(value: string): void {
    this.seen.delete(value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value);
  }

  /** Distinct values within the window ending at `t`. */
  size(t: number): number {
    this.expire(t);
    return this.seen.size;
  }

  has(t: number, value: string): boolean {
    const at = this.seen.get(value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value);
    return at !== undefined && t - at < this.windowMs;
  }

  private expire(t: number): void {
    // values are in last-seen order: stop at the first one still inside the window (a value that
    // arrived late may sit behind newer ones and leaves a little later; it never leaves early)
    for (const [v, at] of this.seen) {
      if (t - at < this.windowMs) break;
      this.seen.delete(v);
    }
  }
}
