// Logged-in sessions, in memory: a random id (the cookie), the user, a CSRF token, an expiry. A
// restart logs everyone out, which is the safe direction. Bounded: the oldest go first.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { User } from './users';

export interface Session {
  id: string;
  user: User;
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly clock: Clock,
    private readonly max = 10_000,
  ) {}

  create(user: User): Session {
    const s: Session = { id: randomBytes(32).toString('base64url'), user, csrf: randomBytes(32).toString('base64url'), expiresAt: this.clock.now() + this.lifetimeMs };
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.max) this.sessions.delete(this.sessions.keys().next().value as string);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (s && s.expiresAt <= this.clock.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }
}
