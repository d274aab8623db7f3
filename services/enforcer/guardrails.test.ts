import type { Decision } from '../core/records';
import { Guardrails } from './guardrails';
import { LiveBlocks } from './live-blocks';
import { GUARDRAILS, decision } from './test-decisions';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function rails(over: Partial<typeof GUARDRAILS> = {}) {
  const live = new LiveBlocks();
  const g = new Guardrails({ ...GUARDRAILS, ...over }, live);
  /** checks and, like the enforcer, records what it let through as live */
  const pass = (d: Decision, now = T0) => {
    const v = g.check(d, now);
    if (v.outcome === 'apply' && d.action !== 'unblock') live.put(v.decision, now);
    return v;
  };
  return { g, live, pass };
}

describe('guardrails', () => {
  it('never blocks, limits or denies an allowlisted address, configured or added by an operator; accounts and aggregate limits are not sources', () => {
    const { g, pass } = rails({ allowlist: ['192.0.2.0/24', '2001:db8::/32'] });
    for (const action of ['block', 'rate-limit', 'deny-peer'] as const) {
      expect(pass(decision(`a-${action}`, action, 'firewall', '192.0.2.9'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    }
    expect(pass(decision('v6', 'block', 'firewall', '2001:db8::5'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    expect(pass(decision('agg', 'aggregate-limit', 'firewall', '192.0.2.1'))).toMatchObject({ outcome: 'apply' });
    g.allowlist.put({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '198.51.100.0/28', operator: { who: 'ana', why: 'carrier', ticket: 'NOC-1' } });
    expect(pass(decision('op', 'block', 'firewall', '198.51.100.3'))).toMatchObject({ outcome: 'refuse', reason: expect.stringContaining('operator ana, ticket NOC-1') });
    expect(pass(decision('out', 'block', 'firewall', '198.51.100.16'))).toMatchObject({ outcome: 'apply' });
  });

  it('refuses to block a network that holds an allowlisted address or range, or lies in one', () => {
    const { g, pass } = rails({ allowlist: ['198.18.5.7', '2001:db8::/48'] });
    expect(pass(decision('n1', 'block', 'firewall', '198.18.5.0/24'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    expect(pass(decision('n2', 'block', 'firewall', '2001:db8::/32'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    expect(pass(decision('n3', 'block', 'firewall', '2001:db8:0:1::/64'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    g.allowlist.put({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '198.51.100.9', operator: { who: 'ana', why: 'customer PBX', ticket: 'NOC-2' } });
    expect(pass(decision('n4', 'block', 'firewall', '198.51.100.0/24'))).toMatchObject({ outcome: 'refuse', guardrail: 'allowlist' });
    expect(pass(decision('n5', 'block', 'firewall', '203.0.113.0/24'))).toMatchObject({ outcome: 'apply' });
  });

  it('lets an operator allowlist entry expire and be removed', () => {
    const { g } = rails();
    const operator = { who: 'ana', why: 'test', ticket: 'NOC-2' };
    g.allowlist.put({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '203.0.113.0/24', operator, expires_at: '2026-01-01T00:10:00Z' });
    g.allowlist.put({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '198.51.100.0/24', operator });
    expect(g.allowlist.match('203.0.113.5', T0 + 60_000)).toBeDefined();
    expect(g.allowlist.match('203.0.113.5', T0 + 600_000)).toBeUndefined();
    g.allowlist.put({ '@timestamp': '2026-01-01T00:01:00Z', cidr: '198.51.100.0/24', operator, removed: true });
    expect(g.allowlist.match('198.51.100.7', T0)).toBeUndefined();
    expect(() => g.allowlist.put({ '@timestamp': '2026-01-01T00:00:00Z', cidr: '300.1.1.1/8', operator })).toThrow(/not an IP/);
  });

  it('opens the circuit breaker past the new blocks per minute: alert-only, held open while blocks keep coming, closed after the cool-down', () => {
    const { g, pass } = rails({ max_new_blocks_per_minute: 3, breaker_cooldown_seconds: 120 });
    for (let i = 1; i <= 3; i++) expect(pass(decision(`b${i}`, 'block', 'firewall', `203.0.113.${i}`), T0 + i * 1000)).toMatchObject({ outcome: 'apply' });
    expect(pass(decision('b4', 'block', 'firewall', '203.0.113.4'), T0 + 5000)).toMatchObject({ outcome: 'alert-only', guardrail: 'circuit-breaker', openedNow: true });
    expect(g.breakerOpen(T0 + 5000)).toBe(true);
    // a minute later the rate is fine, but the breaker stays open for its cool-down after the last one held back
    expect(pass(decision('b5', 'block', 'firewall', '203.0.113.5'), T0 + 100_000)).toMatchObject({ outcome: 'alert-only', openedNow: false });
    // rate limits are not blocks: they pass an open breaker
    expect(pass(decision('r1', 'rate-limit', 'firewall', '203.0.113.50'), T0 + 100_000)).toMatchObject({ outcome: 'apply' });
    expect(g.breakerOpen(T0 + 219_000)).toBe(true);
    expect(g.breakerOpen(T0 + 221_000)).toBe(false);
    expect(pass(decision('b6', 'block', 'firewall', '203.0.113.6'), T0 + 221_000)).toMatchObject({ outcome: 'apply' });
  });

  it('does not count renewals or operator blocks toward the breaker', () => {
    const { pass } = rails({ max_new_blocks_per_minute: 1 });
    expect(pass(decision('b1', 'block', 'firewall', '203.0.113.1'))).toMatchObject({ outcome: 'apply', renewal: false });
    expect(pass(decision('b1-again', 'block', 'firewall', '203.0.113.1'), T0 + 1000)).toMatchObject({ outcome: 'apply', renewal: true });
    const op = decision('op', 'block', 'firewall', '203.0.113.2', { origin: { type: 'operator', id: 'ana' }, operator: { who: 'ana', why: 'abuse report', ticket: 'NOC-3' } });
    expect(pass(op, T0 + 2000)).toMatchObject({ outcome: 'apply' });
    expect(pass(decision('b3', 'block', 'firewall', '203.0.113.3'), T0 + 3000)).toMatchObject({ outcome: 'alert-only' });
  });

  it('refuses new blocks and limits at the maximum of live blocks, and counts expiry', () => {
    const { pass } = rails({ max_live_blocks: 2 });
    pass(decision('b1', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 30 }));
    pass(decision('b2', 'rate-limit', 'firewall', '203.0.113.2'));
    expect(pass(decision('b3', 'block', 'firewall', '203.0.113.3'), T0 + 1000)).toMatchObject({ outcome: 'refuse', guardrail: 'max-live-blocks' });
    expect(pass(decision('b3', 'block', 'firewall', '203.0.113.3'), T0 + 31_000)).toMatchObject({ outcome: 'apply' });
  });

  it('grows the ban of a repeat offender by the factor up to the cap', () => {
    const { pass } = rails({ repeat_offender: { factor: 3, max_ttl_seconds: 1000, memory_seconds: 3600 } });
    const ttls: number[] = [];
    for (let i = 0; i < 4; i++) {
      // each ban has expired before the next offense
      const v = pass(decision(`b${i}`, 'block', 'firewall', '203.0.113.1', { ttl_seconds: 100 }), T0 + i * 1_100_000);
      if (v.outcome !== 'apply') throw new Error(`offense ${i} was not applied`);
      ttls.push(v.decision.ttl_seconds);
    }
    expect(ttls).toEqual([100, 300, 900, 1000]);
    // beyond the memory the record is clean again
    const later = pass(decision('late', 'block', 'firewall', '203.0.113.1', { ttl_seconds: 100 }), T0 + 3_300_000 + 3_700_000);
    expect(later).toMatchObject({ outcome: 'apply', decision: { ttl_seconds: 100 } });
  });

  it('keeps a block when a weaker rate limit for the same address arrives', () => {
    const { pass } = rails();
    pass(decision('b', 'block', 'firewall', '203.0.113.1'));
    expect(pass(decision('r', 'rate-limit', 'firewall', '203.0.113.1'), T0 + 1000)).toMatchObject({ outcome: 'refuse', guardrail: 'already-blocked' });
  });

  it('gives unproven first bans a budget of their own: past it they are rate limits, and a proven attacker is still blocked', () => {
    const { g, pass } = rails({ max_new_blocks_per_minute: 100, max_unproven_bans_per_minute: 5 });
    const outcomes: string[] = [];
    // 110 forged sources, each with a flood of its own: an unproven first ban each
    for (let i = 1; i <= 110; i++) {
      const v = pass(decision(`u${i}`, 'block', 'firewall', `198.51.100.${i}`, { source_proven: false }), T0 + i * 10);
      outcomes.push(v.outcome === 'apply' ? v.decision.action : v.outcome);
    }
    expect(outcomes.filter((o) => o === 'block')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'rate-limit')).toHaveLength(105);
    const limited = pass(decision('u-late', 'block', 'firewall', '198.51.100.200', { source_proven: false }), T0 + 2000);
    expect(limited).toMatchObject({ outcome: 'apply', decision: { action: 'rate-limit' }, note: expect.stringContaining('unproven-ban-budget') });
    expect(g.breakerOpen(T0 + 2000)).toBe(false);
    // the real attacker, proven over TCP, and one whose decision says nothing of proof (an older record)
    expect(pass(decision('proven', 'block', 'firewall', '203.0.113.77', { source_proven: true }), T0 + 3000)).toMatchObject({ outcome: 'apply', decision: { action: 'block' } });
    expect(pass(decision('legacy', 'block', 'firewall', '203.0.113.78'), T0 + 3000)).toMatchObject({ outcome: 'apply', decision: { action: 'block' } });
    // a minute after the wave, unproven first bans get their budget back
    expect(pass(decision('u-next', 'block', 'firewall', '198.51.100.250', { source_proven: false }), T0 + 2000 + 301_000)).toMatchObject({ outcome: 'apply', decision: { action: 'block' } });
  });

  it('still opens the breaker when proven blocks alone exceed the rate', () => {
    const { pass } = rails({ max_new_blocks_per_minute: 2, max_unproven_bans_per_minute: 5 });
    for (let i = 1; i <= 5; i++) pass(decision(`u${i}`, 'block', 'firewall', `198.51.100.${i}`, { source_proven: false }), T0 + i);
    expect(pass(decision('p1', 'block', 'firewall', '203.0.113.1', { source_proven: true }), T0 + 10)).toMatchObject({ outcome: 'apply' });
    expect(pass(decision('p2', 'block', 'firewall', '203.0.113.2', { source_proven: true }), T0 + 11)).toMatchObject({ outcome: 'apply' });
    expect(pass(decision('p3', 'block', 'firewall', '203.0.113.3', { source_proven: true }), T0 + 12)).toMatchObject({ outcome: 'alert-only', guardrail: 'circuit-breaker' });
  });
});
