// The relay's enforcement point: deny-peer decisions become denied-peer ranges in coturn's Redis user
// database (expiring in Redis itself), suspend-account decisions take the account's key away and end
// its live allocations through coturn's admin CLI. Key layout and why: redis-keys.ts.
import { createClient } from '@redis/client';
import type { Clock } from '../../core/clock';
import { CallsentryError } from '../../core/errors';
import type { Actuator, ActuatorResult, LiveEntry, Logger } from '../../core/ports';
import type { Decision } from '../../core/records';
import { restoreAccount, suspendAccount } from './account-suspension';
import { cancelUserSessions, type CoturnCliOptions } from './coturn-cli';
import { peerRange, peerRangeFromToken } from './peer-range';
import { checkRealm, checkUser, denyKey, denyPattern, denyToken, suspendedPattern, suspendedUser } from './redis-keys';

export interface CoturnActuatorOptions {
  /** coturn's redis-userdb (db is its `dbname`) */
  redis: { host: string; port: number; db: number; password?: string };
  /** the realm whose peers and users this actuator manages */
  realm: string;
  /** coturn's admin CLI; without it a suspension disables the key but leaves live allocations */
  cli?: CoturnCliOptions;
  /** how often suspensions that ended are restored; 0: only at init [30 000] */
  restoreEveryMs?: number;
  log: Logger;
  clock: Clock;
  name?: string;
}

type Redis = ReturnType<typeof createClient>;

export class CoturnActuator implements Actuator {
  readonly name: string;
  readonly scopes = ['relay', 'proxy'] as const;
  private readonly realm: string;
  private readonly log: Logger;
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: CoturnActuatorOptions) {
    this.name = opts.name ?? 'coturn';
    this.realm = checkRealm(opts.realm);
    this.log = opts.log.child({ component: 'coturn-actuator', realm: this.realm });
    this.redis = createClient({
      socket: { host: opts.redis.host, port: opts.redis.port, connectTimeout: 5000, reconnectStrategy: (n) => Math.min(100 * 2 ** n, 5000) },
      database: opts.redis.db,
      ...(opts.redis.password === undefined ? {} : { password: opts.redis.password }),
    });
    // without a listener an 'error' event would crash the process; commands still reject
    this.redis.on('error', (err: unknown) => this.log.warn({ err }, 'redis connection error'));
  }

  async init(): Promise<void> {
    await this.failing('connect to redis', () => this.redis.connect());
    await this.restoreDue();
    const every = this.opts.restoreEveryMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.restoreDue().catch((err: unknown) => this.log.warn({ err }, 'restoring ended suspensions failed')), every);
      this.timer.unref();
    }
  }

  async apply(decisions: Decision[]): Promise<ActuatorResult[]> {
    const results: ActuatorResult[] = [];
    for (const d of decisions) results.push(await this.applyOne(d));
    return results;
  }

  async remove(decisions: Decision[]): Promise<ActuatorResult[]> {
    const results: ActuatorResult[] = [];
    for (const d of decisions) results.push(await this.removeOne(d));
    return results;
  }

  async list(): Promise<LiveEntry[]> {
    return this.failing('list live entries', () => this.liveEntries());
  }

  private async liveEntries(): Promise<LiveEntry[]> {
    const now = this.opts.clock.now();
    const live: LiveEntry[] = [];
    for await (const keys of this.redis.scanIterator({ MATCH: denyPattern(this.realm), COUNT: 500 })) {
      for (const key of keys) {
        const range = peerRangeFromToken(denyToken(this.realm, key) ?? '');
        if (!range) continue;
        const pttl = await this.redis.pTTL(key);
        if (pttl === -2) continue; // expired between SCAN and PTTL
        live.push(pttl >= 0 ? { target: range.target, action: 'deny-peer', expiresAt: now + pttl } : { target: range.target, action: 'deny-peer' });
      }
    }
    for await (const keys of this.redis.scanIterator({ MATCH: suspendedPattern(this.realm), COUNT: 500 })) {
      for (const key of keys) {
        const user = suspendedUser(this.realm, key);
        const until = Number((await this.redis.hGet(key, 'until')) ?? NaN);
        if (user !== undefined && Number.isFinite(until)) live.push({ target: { type: 'account', value: user }, action: 'suspend-account', expiresAt: until });
      }
    }
    return live;
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // expiry lives in Redis: nothing to undo here
    if (this.redis.isOpen) await this.redis.close();
  }

  private async applyOne(d: Decision): Promise<ActuatorResult> {
    const ttl = Math.ceil(d.ttl_seconds);
    // a relay entry without an end is what this design exists to prevent
    if (!Number.isFinite(ttl) || ttl <= 0) return refuse(d, `${d.action} needs a positive ttl_seconds`);
    if (d.action === 'deny-peer') return this.denyPeer(d, ttl);
    if (d.action === 'suspend-account') return this.suspend(d, ttl);
    return refuse(d, `the relay does not enforce ${d.action}`);
  }

  private async denyPeer(d: Decision, ttl: number): Promise<ActuatorResult> {
    const range = parsed(() => peerRange(d.target));
    if (range instanceof Error) return refuse(d, range.message);
    const key = denyKey(this.realm, range.token);
    // one set per range, replaced whole: a renewed decision restarts its expiry
    await this.failing('deny peer', () => this.redis.multi().del(key).sAdd(key, range.coturn).expire(key, ttl).exec());
    this.log.info({ decision: d.id, peer: range.coturn, ttl_seconds: ttl }, 'peer denied on the relay');
    return { decisionId: d.id, ok: true, detail: `denied peer ${range.coturn} for ${ttl}s` };
  }

  private async suspend(d: Decision, ttl: number): Promise<ActuatorResult> {
    if (d.target.type !== 'account') return refuse(d, `suspend-account needs an account target, not ${d.target.type}`);
    const user = parsed(() => checkUser(d.target.value));
    if (user instanceof Error) return refuse(d, user.message);
    const until = this.opts.clock.now() + ttl * 1000;
    const known = await this.failing('suspend account', () => suspendAccount(this.redis, this.realm, user, until));
    if (!known) return refuse(d, `no TURN user ${user} in realm ${this.realm}`);
    this.log.info({ decision: d.id, user, ttl_seconds: ttl }, 'relay account suspended');
    if (!this.opts.cli) return { decisionId: d.id, ok: true, detail: `credentials disabled for ${ttl}s; live allocations kept (no CLI configured)` };
    try {
      const ids = await cancelUserSessions(this.opts.cli, user);
      return { decisionId: d.id, ok: true, detail: `credentials disabled for ${ttl}s; cancelled ${ids.length} session(s)` };
    } catch (err) {
      // the key is already gone; a retry of the same decision is harmless and cancels again
      this.log.warn({ err, decision: d.id }, 'cancelling relay sessions failed');
      return refuse(d, `credentials disabled, but cancelling live sessions failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async removeOne(d: Decision): Promise<ActuatorResult> {
    if (d.target.type === 'account') {
      const user = parsed(() => checkUser(d.target.value));
      if (user instanceof Error) return refuse(d, user.message);
      const restored = await this.failing('restore account', () => restoreAccount(this.redis, this.realm, user));
      return { decisionId: d.id, ok: true, detail: restored ? 'credentials restored' : 'account was not suspended' };
    }
    const range = parsed(() => peerRange(d.target));
    if (range instanceof Error) return refuse(d, range.message);
    const gone = await this.failing('remove denied peer', () => this.redis.del(denyKey(this.realm, range.token)));
    return { decisionId: d.id, ok: true, detail: gone > 0 ? `peer ${range.coturn} allowed again` : 'peer was not denied' };
  }

  private async restoreDue(): Promise<void> {
    const now = this.opts.clock.now();
    for await (const keys of this.redis.scanIterator({ MATCH: suspendedPattern(this.realm), COUNT: 500 })) {
      for (const key of keys) {
        const user = suspendedUser(this.realm, key);
        if (user !== undefined && (await restoreAccount(this.redis, this.realm, user, now))) this.log.info({ user }, 'relay account suspension ended; credentials restored');
      }
    }
  }

  // Redis failures are worth a retry; the supervisor decides
  private async failing<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new CallsentryError('ACTUATOR_FAILED', `coturn actuator could not ${what}`, { retriable: true, cause: err, context: { realm: this.realm } });
    }
  }
}

function refuse(d: Decision, detail: string): ActuatorResult {
  return { decisionId: d.id, ok: false, detail };
}

/** The value, or the validation error as a value: one bad decision never fails its batch. */
function parsed<T>(run: () => T): T | Error {
  try {
    return run();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
