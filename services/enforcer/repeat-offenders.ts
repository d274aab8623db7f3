// Ban time grows for a target that comes back: each new block within the memory multiplies the base
// ttl by a factor, up to a cap. Bounded; the oldest targets are forgotten first.

export interface RepeatOffenderOptions {
  factor: number;
  maxTtlSeconds: number;
  /** how long an offense counts toward the next ban */
  memorySeconds: number;
  maxTargets: number;
}

export class RepeatOffenders {
  /** target -> offenses still remembered (times, oldest first); Map order = least recently seen first */
  private readonly offenses = new Map<string, number[]>();

  constructor(private readonly opts: RepeatOffenderOptions) {}

  /** Records a new block of `target` at `now`, and returns its ttl and which offense this is. */
  escalate(target: string, baseTtlSeconds: number, now: number): { ttlSeconds: number; offense: number } {
    const kept = (this.offenses.get(target) ?? []).filter((t) => t > now - this.opts.memorySeconds * 1000);
    kept.push(now);
    this.offenses.delete(target);
    this.offenses.set(target, kept);
    if (this.offenses.size > this.opts.maxTargets) this.offenses.delete(this.offenses.keys().next().value as string);
    const offense = kept.length;
    const grown = baseTtlSeconds * this.opts.factor ** (offense - 1);
    return { ttlSeconds: Math.round(Math.min(Math.max(baseTtlSeconds, this.opts.maxTtlSeconds), grown)), offense };
  }
}
