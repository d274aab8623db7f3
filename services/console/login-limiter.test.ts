import { ManualClock } from '../core/clock';
import { LoginLimiter } from './login-limiter';

const settings = { maxFailures: 5, windowMs: 15 * 60_000 };

describe('LoginLimiter', () => {
  it('counts an attempt when it arrives: attempts still being checked use up the budget', () => {
    const l = new LoginLimiter(new ManualClock(1000), settings);
    // 200 at once, none settled yet (scrypt is still running for each)
    const admitted = Array.from({ length: 200 }, () => l.begin('192.0.2.7', 'ana')).filter((a) => a.admitted);
    expect(admitted).toHaveLength(5);
  });

  it("one account's success clears neither another account's failures nor the address's", () => {
    const clock = new ManualClock(1000);
    const l = new LoginLimiter(clock, settings);
    for (let i = 0; i < 4; i++) l.begin('192.0.2.7', 'ana').settle(false);
    // a valid viewer login from the same address
    l.begin('192.0.2.7', 'val').settle(true);
    expect(l.begin('192.0.2.7', 'ana').admitted).toBe(true);
    expect(l.begin('192.0.2.7', 'ana').admitted).toBe(false);
  });

  it('keeps counting the address across user names, and a success does not reset it', () => {
    const l = new LoginLimiter(new ManualClock(1000), settings);
    // an address gets four times the tries of one name (a NOC behind NAT)
    for (let i = 0; i < 19; i++) l.begin('192.0.2.7', `user${i}`).settle(false);
    l.begin('192.0.2.7', 'val').settle(true);
    expect(l.begin('192.0.2.7', 'user-20').admitted).toBe(true);
    expect(l.begin('192.0.2.7', 'user-21').admitted).toBe(false);
    expect(l.begin('198.51.100.1', 'someone').admitted).toBe(true);
  });

  it('a success clears the failures of its own account, and refunds its own attempt', () => {
    const l = new LoginLimiter(new ManualClock(1000), settings);
    for (let i = 0; i < 4; i++) l.begin('192.0.2.7', 'ana').settle(false);
    l.begin('192.0.2.7', 'ana').settle(true);
    for (let i = 0; i < 5; i++) expect(l.begin('192.0.2.7', 'ana').admitted).toBe(true);
  });

  it('counts one IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 address', () => {
    const l = new LoginLimiter(new ManualClock(1000), { maxFailures: 1, windowMs: 60_000 });
    for (let i = 0; i < 4; i++) l.begin(`2001:db8:1:2::${i + 1}`, `u${i}`).settle(false);
    expect(l.begin('2001:db8:1:2:ffff::9', 'other').admitted).toBe(false);
    expect(l.begin('2001:db8:1:3::1', 'other').admitted).toBe(true);
    for (let i = 0; i < 4; i++) l.begin('192.0.2.9', `v${i}`).settle(false);
    expect(l.begin('::ffff:192.0.2.9', 'w').admitted).toBe(false);
  });

  it('lets the window pass', () => {
    const clock = new ManualClock(1000);
    const l = new LoginLimiter(clock, settings);
    for (let i = 0; i < 5; i++) l.begin('192.0.2.7', 'ana').settle(false);
    const refused = l.begin('192.0.2.7', 'ana');
    expect(refused.admitted).toBe(false);
    expect(refused.retryAfterMs).toBe(15 * 60_000);
    clock.advance(15 * 60_000);
    expect(l.begin('192.0.2.7', 'ana').admitted).toBe(true);
  });
});
