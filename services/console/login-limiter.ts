// Login rate limiting: a handful of tries per user name and per address in a window, instead of
// thousands. An attempt counts when it arrives, before the slow password check, so tries that are
// still being checked use up the budget too (200 in parallel get the limit, not 176). A success
// clears the failures of its own account only: never another account's, never the address's.
// An IPv6 client is counted by its /64 (one host owns a whole /64). Bounded memory.
import type { Clock } from '../core/clock';
import { parseIp } from '../core/cidr';

export interface LimiterSettings {
  maxFailures: number;
  windowMs: number;
}

export interface LoginAttempt {
  /** false: refused unchecked; retryAfterMs says for how long */
  admitted: boolean;
  retryAfterMs: number;
  /** the password check's result; an admitted attempt must be settled once */
  settle(success: boolean): void;
}

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly s: LimiterSettings = { maxFailures: 5, windowMs: 15 * 60_000 },
    private readonly maxKeys = 50_000,
  ) {}

  /** An attempt arrives: refused when the address or the name has used its tries, else counted now. */
  begin(ip: string, user: string): LoginAttempt {
    const now = this.clock.now();
    const ks = [addressKey(ip), `user:${user}`];
    let wait = 0;
    for (const k of ks) {
      const recent = this.recent(k, now);
      if (recent.length >= this.limit(k)) wait = Math.max(wait, recent[0] + this.s.windowMs - now);
    }
    if (wait > 0) return { admitted: false, retryAfterMs: wait, settle: () => undefined };
    for (const k of ks) this.record(k, now);
    let settled = false;
    return {
      admitted: true,
      retryAfterMs: 0,
      settle: (success) => {
        if (settled || !success) return;
        settled = true;
        // the address keeps its count but for this attempt; the account starts afresh
        this.refund(ks[0], now);
        this.attempts.delete(ks[1]);
      },
    };
  }

  // a NOC shares one address behind NAT: an address gets more tries than a single name
  private limit(k: string): number {
    return k.startsWith('ip:') ? this.s.maxFailures * 4 : this.s.maxFailures;
  }

  private recent(k: string, now: number): number[] {
    return (this.attempts.get(k) ?? []).filter((t) => t > now - this.s.windowMs);
  }

  private record(k: string, now: number): void {
    const list = this.recent(k, now);
    list.push(now);
    // re-inserted: the map's order is by last attempt, so the bound drops the stalest keys
    this.attempts.delete(k);
    this.attempts.set(k, list.slice(-this.limit(k)));
    while (this.attempts.size > this.maxKeys) this.attempts.delete(this.attempts.keys().next().value as string);
  }

  private refund(k: string, at: number): void {
    const list = this.attempts.get(k);
    const i = list?.lastIndexOf(at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }
}

function addressKey(ip: string): string {
  const p = parseIp(ip); // an IPv4-mapped IPv6 address reads as its IPv4 address
  if (!p) return `ip:${ip}`;
  return p.version === 4 ? `ip:${p.value}` : `ip6/64:${p.value >> 64n}`;
}
