// Decisions pass guardrails before they touch the network, in this order: the platform's own
// addresses (loopback, this host, PBX, SBC, proxies, relay, carriers) and allowlisted ranges are
// never blocked; a renewal of what is live only extends it; a new block must fit under the maximum
// of live blocks and through the circuit breaker; and a target that comes back is banned longer.
// Unproven first bans (forgeable evidence: any UDP source address can be written) draw on a budget
// of their own; past it they become rate limits. So a wave of forged sources can neither open the
// breaker nor use up the blocks a proven attacker needs.
import type { Decision } from '../core/records';
import { Allowlist } from './allowlist';
import { CircuitBreaker } from './circuit-breaker';
import type { LiveBlocks } from './live-blocks';
import { PlatformAddresses } from './platform-addresses';
import { RepeatOffenders } from './repeat-offenders';

export interface GuardrailSettings {
  allowlist: string[];
  max_new_blocks_per_minute: number;
  /** unproven first bans per minute; past it they are rate limits (0: never block unproven) */
  max_unproven_bans_per_minute: number;
  breaker_cooldown_seconds: number;
  max_live_blocks: number;
  repeat_offender: { factor: number; max_ttl_seconds: number; memory_seconds: number };
}

export type Verdict =
  /** `changedBy`: the guardrail that changed the decision (unproven-ban-budget, repeat-offender); `offense`: a repeat offender's count */
  | { outcome: 'apply'; decision: Decision; renewal: boolean; note?: string; changedBy?: string; offense?: number }
  | { outcome: 'refuse'; guardrail: string; reason: string }
  /** the circuit breaker is open: nothing changes on the network, the decision is an alert */
  | { outcome: 'alert-only'; guardrail: 'circuit-breaker'; reason: string; openedNow: boolean };

/** Actions that change what a source, peer or account may do. */
const ENFORCING: ReadonlySet<Decision['action']> = new Set(['block', 'rate-limit', 'deny-peer', 'suspend-account', 'aggregate-limit']);
/** Actions that shut a target out: these count for the breaker and grow for repeat offenders. */
const SHUTTING: ReadonlySet<Decision['action']> = new Set(['block', 'deny-peer', 'suspend-account']);

export class Guardrails {
  readonly allowlist: Allowlist;
  readonly platform: PlatformAddresses;
  private readonly breaker: CircuitBreaker;
  private readonly unprovenBans: CircuitBreaker;
  private readonly repeat: RepeatOffenders;

  constructor(
    private readonly s: GuardrailSettings,
    private readonly live: LiveBlocks,
    platform?: PlatformAddresses,
  ) {
    this.platform = platform ?? new PlatformAddresses({ configured: [], ignoreSelf: true, learnServers: true });
    this.allowlist = new Allowlist(s.allowlist);
    this.breaker = new CircuitBreaker({ maxNewBlocksPerMinute: s.max_new_blocks_per_minute, cooldownSeconds: s.breaker_cooldown_seconds });
    this.unprovenBans = new CircuitBreaker({ maxNewBlocksPerMinute: s.max_unproven_bans_per_minute, cooldownSeconds: s.breaker_cooldown_seconds });
    this.repeat = new RepeatOffenders({ factor: s.repeat_offender.factor, maxTtlSeconds: s.repeat_offender.max_ttl_seconds, memorySeconds: s.repeat_offender.memory_seconds, maxTargets: 100_000 });
  }

  breakerOpen(now: number): boolean {
    return this.breaker.isOpen(now);
  }

  check(d: Decision, now: number): Verdict {
    if (!ENFORCING.has(d.action)) return { outcome: 'apply', decision: d, renewal: false };
    // an aggregate limit protects one of our own destinations: the allowlist is about sources
    if (d.action !== 'aggregate-limit' && (d.target.type === 'ip' || d.target.type === 'cidr')) {
      // operators too: blocking our own PBX or loopback is never what anybody meant. A denied relay
      // peer is a destination the relay must not reach (a TURN user relaying to our own hosts):
      // that protects the platform's addresses, it does not shut them out.
      const own = d.action === 'deny-peer' ? undefined : this.platform.match(d.target);
      if (own) return { outcome: 'refuse', guardrail: 'platform-address', reason: `${d.target.value} is the platform's own address ${own.address}: ${own.why}` };
      const hit = this.allowlist.match(d.target.value, now);
      if (hit) {
        const by = hit.entry ? ` (operator ${hit.entry.operator.who}, ticket ${hit.entry.operator.ticket})` : '';
        return { outcome: 'refuse', guardrail: 'allowlist', reason: `${d.target.value} is in allowlisted range ${hit.range}${by}` };
      }
    }
    const current = this.live.get(d, now);
    if (current && current.decision.action === d.action) return { outcome: 'apply', decision: d, renewal: true };
    if (current?.decision.action === 'block' && d.action === 'rate-limit') {
      return { outcome: 'refuse', guardrail: 'already-blocked', reason: `${d.target.value} is blocked already; a rate limit would weaken it` };
    }
    // operators decide for themselves: their blocks pass the breaker and the maximum, with their ttl
    if (d.origin.type === 'operator') return { outcome: 'apply', decision: d, renewal: false };
    const liveCount = this.live.count(now);
    if (liveCount >= this.s.max_live_blocks) {
      return { outcome: 'refuse', guardrail: 'max-live-blocks', reason: `${liveCount} live blocks, the maximum (enforcer.guardrails.max_live_blocks)` };
    }
    if (!SHUTTING.has(d.action)) return { outcome: 'apply', decision: d, renewal: false };
    if (d.action === 'block' && d.source_proven === false) {
      const budget = this.unprovenBans.admit(now);
      if (!budget.allow) {
        // a rate limit hurts a forged victim little and still slows a real unproven attacker
        const limit: Decision = { ...d, action: 'rate-limit', reason: `${d.reason}; rate-limited instead: the unproven-ban budget is spent` };
        if (current?.decision.action === 'rate-limit') return { outcome: 'apply', decision: limit, renewal: true, changedBy: 'unproven-ban-budget' };
        const note = `guardrail unproven-ban-budget: more than ${this.s.max_unproven_bans_per_minute} unproven first bans in a minute (enforcer.guardrails.max_unproven_bans_per_minute); rate-limited instead of blocked`;
        return { outcome: 'apply', decision: limit, renewal: false, note, changedBy: 'unproven-ban-budget' };
      }
      return this.escalated(d, now);
    }
    const admitted = this.breaker.admit(now);
    if (!admitted.allow) return { outcome: 'alert-only', guardrail: 'circuit-breaker', reason: admitted.reason, openedNow: admitted.openedNow };
    return this.escalated(d, now);
  }

  /** A new shut-out, its ttl grown when the target comes back. */
  private escalated(d: Decision, now: number): Verdict {
    const { ttlSeconds, offense } = this.repeat.escalate(`${d.target.type}:${d.target.value}`, d.ttl_seconds, now);
    if (offense === 1) return { outcome: 'apply', decision: d, renewal: false };
    return { outcome: 'apply', decision: { ...d, ttl_seconds: ttlSeconds }, renewal: false, note: `offense ${offense}: ttl ${d.ttl_seconds}s grown to ${ttlSeconds}s`, changedBy: 'repeat-offender', offense };
  }
}
