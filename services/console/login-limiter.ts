// Login rate limiting: after too many failures from one address, or against one user name, logins
// from there (or for that name) are refused until the window has passed. Password guessing gets a
// handful of tries per window instead of thousands. Bounded memory.
import type { Clock } from '../core/clock';

export interface LimiterSettings {
  maxFailures: number;
  windowMs: number;
}

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly s: LimiterSettings = { maxFailures: 5, windowMs: 15 * 60_000 },
    private readonly maxKeys = 50_000,
  ) {}

  /** Milliseconds until a login may be tried again from this address for this user; 0 when it may now. */
  retryAfter(ip: string, user: string): number {
    const now = this.clock.now();
    let wait = 0;
    for (const k of keys(ip, user)) {
      const recent = this.recent(k, now);
      if (recent.length >= this.limit(k)) wait = Math.max(wait, recent[0] + this.s.windowMs - now);
    }
    return wait;
  }

  failed(ip: string, user: string): void {
    const now = this.clock.now();
    for (const k of keys(ip, user)) {
      const list = this.recent(k, now);
      list.push(now);
      this.failures.delete(k);
      this.failures.set(k, list.slice(-this.limit(k)));
    }
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeeded(ip: string, user: string): void {
    this.failures.delete(`user:${user}`);
    this.failures.delete(`ip:${ip}`);
  }

  // a NOC shares one address behind NAT: an address gets more tries than a single name
  private limit(k: string): number {
    return k.startsWith('ip:') ? this.s.maxFailures * 4 : this.s.maxFailures;
  }

  private recent(k: string, now: number): number[] {
    return (this.failures.get(k) ?? []).filter((t) => t > now - this.s.windowMs);
  }
}

const keys = (ip: string, user: string) => [`ip:${ip}`, `user:${user}`];
