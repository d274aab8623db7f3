// When detections go wrong (a bad rule, a forged-source campaign that slips past spoof resistance),
// blocks arrive faster than any real attack wave needs. Past a rate, enforcement turns alert-only
// until the rate has stayed below the limit for a cool-down, and the open breaker pages (its gauge
// and audit entry feed the alerting).

export interface BreakerOptions {
  /** new blocks allowed in any 60 s; one more opens the breaker */
  maxNewBlocksPerMinute: number;
  /** how long the breaker stays open after the last block it held back */
  cooldownSeconds: number;
}

export type BreakerVerdict =
  | { allow: true }
  | { allow: false; openedNow: boolean; reason: string };

export class CircuitBreaker {
  /** times of the blocks admitted in the last minute, oldest first */
  private readonly recent: number[] = [];
  private openUntil = -Infinity;

  constructor(private readonly opts: BreakerOptions) {}

  isOpen(now: number): boolean {
    return now < this.openUntil;
  }

  /** Asks to make one new block at `now`; counts it when allowed. */
  admit(now: number): BreakerVerdict {
    while (this.recent.length > 0 && this.recent[0] <= now - 60_000) this.recent.shift();
    if (this.isOpen(now) || this.recent.length >= this.opts.maxNewBlocksPerMinute) {
      const openedNow = !this.isOpen(now);
      // every block held back keeps it open: the wave must be over, not merely paused
      this.openUntil = now + this.opts.cooldownSeconds * 1000;
      return { allow: false, openedNow, reason: `more than ${this.opts.maxNewBlocksPerMinute} new blocks in a minute: enforcement is alert-only for ${this.opts.cooldownSeconds}s after the last one held back` };
    }
    this.recent.push(now);
    return { allow: true };
  }
}
