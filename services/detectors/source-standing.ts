// Which source addresses have an established, legitimate presence: they recently took part in
// traffic that proved they receive our packets and that the other side accepted. A phone that
// registered with the right password, a carrier whose calls were answered and acknowledged (it has
// no digest user), a peer whose requests over TCP were answered. Forgers borrow exactly such
// addresses, so a finding against one needs proof of its own before anybody blocks it (see the
// decision policy). Bounded and evicted by event time; addresses compared canonically.
import { canonicalOr } from '../core/ip-address';
import type { SipFlow } from '../core/records';

export interface StandingOptions {
  /** how long a proven success keeps an address established */
  memoryMs: number;
  maxAddresses: number;
}

/** Proven and accepted: answered 2xx, or the ACK that confirmed a dialog (it has no response). */
function isProvenSuccess(s: SipFlow['sip']): boolean {
  if (s.source_proven !== true) return false;
  if (s.status === undefined) return s.method.toUpperCase() === 'ACK';
  return s.status >= 200 && s.status < 300;
}

export class SourceStanding {
  /** address -> event time of its last proven success; Map order = oldest first */
  private readonly lastGood = new Map<string, number>();
  private readonly opts: StandingOptions;

  constructor(opts: Partial<StandingOptions> = {}) {
    this.opts = { memoryMs: opts.memoryMs ?? 24 * 3600_000, maxAddresses: opts.maxAddresses ?? 500_000 };
  }

  observe(r: SipFlow, t: number): void {
    if (!isProvenSuccess(r.sip)) return;
    const ip = canonicalOr(r.source.ip);
    this.lastGood.delete(ip);
    this.lastGood.set(ip, t);
    if (this.lastGood.size > this.opts.maxAddresses) this.lastGood.delete(this.lastGood.keys().next().value as string);
  }

  established(ip: string, t: number): boolean {
    const last = this.lastGood.get(canonicalOr(ip));
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
