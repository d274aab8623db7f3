// Which source addresses have an established, legitimate presence: they recently completed an
// authenticated transaction that proved they receive our packets (a phone that registered with
// the right password). Forgers borrow exactly such addresses, so a finding against one needs proof
// of its own before anybody blocks it (see the decision policy). Bounded and evicted by event time.
import type { SipFlow } from '../core/records';

export interface StandingOptions {
  /** how long a proven success keeps an address established */
  memoryMs: number;
  maxAddresses: number;
}

export class SourceStanding {
  /** address -> event time of its last proven, authenticated success; Map order = oldest first */
  private readonly lastGood = new Map<string, number>();
  private readonly opts: StandingOptions;

  constructor(opts: Partial<StandingOptions> = {}) {
    this.opts = { memoryMs: opts.memoryMs ?? 24 * 3600_000, maxAddresses: opts.maxAddresses ?? 500_000 };
  }

  observe(r: SipFlow, t: number): void {
    const s = r.sip;
    if (!s.source_proven || !s.auth_user || s.status === undefined || s.status < 200 || s.status >= 300) return;
    this.lastGood.delete(r.source.ip);
    this.lastGood.set(r.source.ip, t);
    if (this.lastGood.size > this.opts.maxAddresses) this.lastGood.delete(this.lastGood.keys().next().value as string);
  }

  established(ip: string, t: number): boolean {
    const last = this.lastGood.get(ip);
    return last !== undefined && t - last <= this.opts.memoryMs;
  }

  /** Addresses with the time of their last proven success, oldest first (for snapshots). */
  exportState(): StandingState {
    return { lastGood: [...this.lastGood] };
  }

  importState(s: StandingState | undefined): void {
    this.lastGood.clear();
    for (const [ip, t] of s?.lastGood ?? []) if (typeof ip === 'string' && Number.isFinite(t)) this.lastGood.set(ip, t);
  }
}

export interface StandingState {
  lastGood: Array<[string, number]>;
}
