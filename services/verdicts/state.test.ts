// The verdict state forgets: the sweep drops ledgers with nothing left and calls no ledger holds,
// a slice at a time, and a partition holds a bounded number of ledgers however many account names
// arrive. Verdicts stay what they were; the index across partitions stays consistent with them.
import { DEFAULT_VERDICTS, type VerdictSettings } from '../core/verdict-config';
import { flowOf, type CompactFlow } from './fixture';
import { callContext, judge } from './judge';
import { RateDeck } from './rate-deck';
import { VerdictState } from './state';
import type { Verdict } from './verdict';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-07T00:00:00Z');
const FLOWS = 'flows.sip.by-account.v1';

const settings = (over: Partial<VerdictSettings> = {}): VerdictSettings => ({
  ...DEFAULT_VERDICTS,
  home_country: 'US',
  baseline: { days: 7, multiple: 2, hard_cap: 3, min_history_hours: 24 },
  spend: { account: { hour: 5, day: 0 }, tenant: { hour: 0, day: 0 }, warn_fraction: 0.8 },
  max_call_seconds: 3600,
  ...over,
});

function deck(): RateDeck {
  const d = RateDeck.empty();
  d.set('44', 0.5);
  d.set('1', 0.01);
  return d;
}

let seq = 0;
type Flow = Omit<CompactFlow, 'at'> & { at: number };
const INTL = '+442079460000';
const LOCAL = '+12125550100';

function feed(state: VerdictState, p: number, ...flows: Flow[]): void {
  for (const f of flows) state.applyFlow(state.partition(FLOWS, p), flowOf({ ...f, at: new Date(f.at).toISOString() }, seq++));
}

/** What the account is told for an international and a local call now. */
function verdicts(state: VerdictState, s: VerdictSettings, d: RateDeck, account: string, now: number): Verdict[] {
  return [INTL, LOCAL].map((to) => judge(callContext({ source_ip: '192.0.2.10', account, from: `sip:${account}@pbx`, to, call_id: 'q' }, s, d, now), state, s));
}

const has = (state: VerdictState, p: number, key: string) => state.partition(FLOWS, p).ledgers.has(key as never);

/** Sweeps until a call ends a round inside its budget: every ledger and call looked at once more. */
function sweepAll(state: VerdictState, now: number): void {
  for (let i = 0; i < 100 && state.sweep(now, 1000).looked >= 1000; i++);
}

describe('verdict state sweep', () => {
  it('removes a ledger whose calls have aged out, and the verdicts for its account stay what they were', () => {
    const s = settings();
    const d = deck();
    const swept = new VerdictState(s, d);
    const twin = new VerdictState(s, d);
    // "gone": a 10-minute international call (5.00, the hourly quota) and a refused one, then silence
    const gone: Flow[] = [
      { at: T0, account: 'gone', method: 'INVITE', status: 200, to: INTL, call_id: 'g1' },
      { at: T0 + 10 * MINUTE, account: 'gone', method: 'BYE', call_id: 'g1' },
      { at: T0 + 20 * MINUTE, account: 'gone', method: 'INVITE', status: 403, to: INTL, call_id: 'g2' },
    ];
    for (const st of [swept, twin]) feed(st, 0, ...gone);
    for (let t = T0 + 30 * MINUTE; t <= T0 + 9 * DAY; t += 6 * HOUR) {
      // another account's calls on the partition: its records move on
      for (const st of [swept, twin]) feed(st, 0, { at: t, account: 'other', method: 'INVITE', status: 486, to: LOCAL, call_id: `o${t}` });
      sweepAll(swept, t);
      expect(verdicts(swept, s, d, 'gone', t)).toEqual(verdicts(twin, s, d, 'gone', t));
    }
    expect(verdicts(twin, s, d, 'gone', T0 + 30 * MINUTE)[0]).toMatchObject({ verdict: 'deny', rule: 'verdict/spend-quota' });
    expect(has(swept, 0, 'account:gone')).toBe(false);
    expect(has(twin, 0, 'account:gone')).toBe(true);
    expect(has(swept, 0, 'account:other')).toBe(true);

    // back after nine days: new in both (the hard cap of 3 international calls this hour)
    const back = T0 + 9 * DAY + HOUR;
    for (const st of [swept, twin]) for (let i = 0; i < 3; i++) feed(st, 0, { at: back + i * MINUTE, account: 'gone', method: 'INVITE', status: 480, to: INTL, call_id: `b${i}` });
    expect(verdicts(swept, s, d, 'gone', back + 5 * MINUTE)).toEqual(verdicts(twin, s, d, 'gone', back + 5 * MINUTE));
    expect(verdicts(swept, s, d, 'gone', back + 5 * MINUTE)[0]).toMatchObject({ verdict: 'deny', rule: 'verdict/international-baseline', reason: expect.stringContaining('hard cap') });
  });

  it('an open call keeps its ledger and its Call-ID; past max_call_seconds the Call-ID goes, and the ledger once the history has aged', () => {
    const s = settings();
    const state = new VerdictState(s, deck());
    feed(state, 0, { at: T0, account: 'talker', method: 'INVITE', status: 200, to: INTL, call_id: 'long', tenant: 'acme' });
    const tick = (t: number) => {
      feed(state, 0, { at: t, account: 'other', method: 'INVITE', status: 486, to: LOCAL, call_id: `o${t}` });
      sweepAll(state, t);
    };
    tick(T0 + 50 * MINUTE);
    expect(has(state, 0, 'account:talker')).toBe(true);
    expect(state.partition(FLOWS, 0).calls.has('long')).toBe(true);
    expect(state.concurrent('account:talker', true, T0 + 50 * MINUTE)).toBe(1);
    expect(state.concurrent('tenant:acme', true, T0 + 50 * MINUTE)).toBe(1);

    tick(T0 + 2 * HOUR); // the BYE was missed: ended at max_call_seconds
    expect(state.partition(FLOWS, 0).calls.has('long')).toBe(false);
    expect(has(state, 0, 'account:talker')).toBe(true);
    expect(state.spend('account:talker', DAY, T0 + 2 * HOUR)).toBeCloseTo(30);

    tick(T0 + 7 * DAY + HOUR);
    expect(has(state, 0, 'account:talker')).toBe(false);
    expect(has(state, 0, 'tenant:acme')).toBe(false);
    expect(state.sizes()).toEqual({ ledgers: 1, indexed: 1, calls: 0 });
  });

  it('ages ledgers by the records read, never past the clock: a sweep during a replay of old records keeps an account history whole', () => {
    const s = settings();
    const d = deck();
    const swept = new VerdictState(s, d);
    const twin = new VerdictState(s, d);
    const now = T0 + 20 * DAY;
    // calls every five days: one history of fifteen days, each call older than the baseline's days when the clock reads it
    for (let t = now - 15 * DAY; t < now; t += 5 * DAY) {
      for (const st of [swept, twin]) feed(st, 0, { at: t, account: 'steady', method: 'INVITE', status: 200, to: LOCAL, call_id: `s${t}` }, { at: t + MINUTE, account: 'steady', method: 'BYE', call_id: `s${t}` });
      sweepAll(swept, now);
    }
    expect(swept.baseline('steady', now)).toEqual(twin.baseline('steady', now));
    expect(swept.baseline('steady', now).historyHours).toBeGreaterThanOrEqual(10 * 24);
    // a record dated ahead of the clock ages nothing early
    feed(swept, 0, { at: now + 30 * DAY, account: 'skewed', method: 'INVITE', status: 486, to: LOCAL, call_id: 'sk' });
    sweepAll(swept, now);
    expect(has(swept, 0, 'account:steady')).toBe(true);
  });

  it('looks at no more ledgers than its budget per call, and resumes where it stopped', () => {
    const state = new VerdictState(settings(), deck());
    for (let i = 0; i < 10_000; i++) feed(state, i % 2, { at: T0, account: `a${i}`, method: 'INVITE', status: 403, to: LOCAL, call_id: `c${i}` });
    for (const p of [0, 1]) feed(state, p, { at: T0 + 8 * DAY, account: `clock${p}`, method: 'INVITE', status: 486, to: LOCAL, call_id: `k${p}` });
    const calls: number[] = [];
    for (let i = 0; i < 20 && state.sizes().ledgers > 2; i++) {
      const r = state.sweep(T0 + 8 * DAY, 1000);
      expect(r.looked).toBeLessThanOrEqual(1000);
      calls.push(r.dropped);
    }
    expect(state.sizes()).toEqual({ ledgers: 2, indexed: 2, calls: 0 });
    expect(calls.reduce((a, b) => a + b)).toBe(10_000);
    expect(calls.length).toBeLessThanOrEqual(11);
    // nothing to do: a call ends after one round, well inside its budget
    expect(state.sweep(T0 + 8 * DAY, 1000).looked).toBeLessThanOrEqual(2);
  });

  it('keeps the index and the partition maps consistent through drop() and the sweep', () => {
    const s = settings();
    const state = new VerdictState(s, deck());
    const records = (p: number): Flow[] => [
      { at: T0, account: `u${p}`, method: 'INVITE', status: 200, to: LOCAL, call_id: `open${p}`, tenant: 'acme' },
      { at: T0 + MINUTE, account: `v${p}`, method: 'INVITE', status: 480, to: INTL, call_id: `refused${p}`, tenant: 'acme' },
      ...Array.from({ length: 300 }, (_, i): Flow => ({ at: T0 + 2 * MINUTE, account: `w${p}-${i}`, method: 'INVITE', status: 403, to: LOCAL, call_id: `w${p}-${i}` })),
    ];
    for (const p of [0, 1, 2]) feed(state, p, ...records(p));
    expect(state.concurrent('tenant:acme', false, T0 + 5 * MINUTE)).toBe(3);

    // the sweep is inside partition 1 when it is revoked
    state.sweep(T0 + 5 * MINUTE, 400);
    state.drop(FLOWS, [1]);
    expect(state.sizes()).toMatchObject({ ledgers: 2 * 303, indexed: 2 * 303 });
    expect(state.concurrent('tenant:acme', false, T0 + 5 * MINUTE)).toBe(2);
    expect(state.concurrent('account:u1', false, T0 + 5 * MINUTE)).toBe(0);
    sweepAll(state, T0 + 5 * MINUTE);
    expect(state.sizes()).toEqual({ ledgers: 2 * 303, indexed: 2 * 303, calls: 2 });

    // re-delivered, partition 1 is as it was
    feed(state, 1, ...records(1));
    expect(state.concurrent('tenant:acme', false, T0 + 5 * MINUTE)).toBe(3);
    expect(state.sizes()).toEqual({ ledgers: 3 * 303, indexed: 3 * 303, calls: 3 });

    // everything ages out: nothing left in the partitions, nor in the index
    for (const p of [0, 1, 2]) feed(state, p, { at: T0 + 9 * DAY, account: 'late', method: 'BYE', call_id: 'none' });
    sweepAll(state, T0 + 9 * DAY);
    expect(state.sizes()).toEqual({ ledgers: 0, indexed: 0, calls: 0 });
    expect(state.concurrent('tenant:acme', false, T0 + 9 * DAY)).toBe(0);
  });
});

describe('ledgers per partition (verdicts.max_ledgers_per_partition)', () => {
  it('stay bounded when 200,000 account names each make one refused INVITE, and the legitimate accounts keep their ledgers and verdicts', () => {
    const bound = 1000;
    const s = settings({ max_ledgers_per_partition: bound, concurrent: { account: { local: 20, international: 1 }, tenant: { local: 500, international: 50 } } });
    const d = deck();
    const state = new VerdictState(s, d);
    const partitions = 4;
    // 40 accounts of tenant acme: an hour of calls, each one on an international call now, a few with spend today
    const legit = Array.from({ length: 40 }, (_, i) => `acct${i}`);
    legit.forEach((a, i) => {
      const p = i % partitions;
      for (let c = 0; c < 3; c++) feed(state, p, { at: T0 + c * 10 * MINUTE, account: a, method: 'INVITE', status: 200, to: c === 2 ? INTL : LOCAL, call_id: `${a}-${c}`, tenant: 'acme' });
      for (let c = 0; c < 2; c++) feed(state, p, { at: T0 + (c * 10 + 3) * MINUTE, account: a, method: 'BYE', call_id: `${a}-${c}` });
    });
    const at = T0 + HOUR;
    const before = legit.map((a) => verdicts(state, s, d, a, at));
    expect(before[0][0]).toMatchObject({ verdict: 'deny', rule: 'verdict/concurrent-calls' });

    for (let i = 0; i < 200_000; i++) {
      feed(state, i % partitions, { at: T0 + 30 * MINUTE + Math.floor(i / 100), account: `flood-${i}`, method: 'INVITE', status: 403, to: INTL, call_id: `x${i}` });
      if (i % 10_000 === 0) state.sweep(at, 2000);
    }

    for (let p = 0; p < partitions; p++) expect(state.partition(FLOWS, p).ledgers.size).toBeLessThanOrEqual(bound);
    expect(state.sizes()).toEqual({ ledgers: partitions * bound, indexed: partitions * bound, calls: legit.length });
    expect(state.bound).toEqual({ displaced: 200_000 + legit.length + partitions - partitions * bound, over: 0 });
    legit.forEach((a, i) => {
      expect([a, has(state, i % partitions, `account:${a}`)]).toEqual([a, true]);
      expect([a, verdicts(state, s, d, a, at)]).toEqual([a, before[i]]);
    });
    expect(state.concurrent('tenant:acme', true, at)).toBe(legit.length);
    // the most recent names are the ones held
    expect(has(state, 199_999 % partitions, 'account:flood-199999')).toBe(true);
    expect(has(state, 0, 'account:flood-0')).toBe(false);
  });

  it('an account refused again and again keeps its international count through a flood of names: the least recently seen go first', () => {
    const state = new VerdictState(settings({ max_ledgers_per_partition: 100 }), deck());
    let attempts = 0;
    for (let i = 0; i < 1000; i++) {
      if (i % 50 === 0) {
        feed(state, 0, { at: T0 + i, account: 'denied', method: 'INVITE', status: 603, to: INTL, call_id: `d${i}` });
        attempts++;
      }
      feed(state, 0, { at: T0 + i, account: `flood-${i}`, method: 'INVITE', status: 403, to: INTL, call_id: `x${i}` });
    }
    expect(state.partition(FLOWS, 0).ledgers.size).toBe(100);
    expect(state.internationalInHour('denied', T0 + HOUR / 2)).toBe(attempts);
  });

  it('at the bound, takes an account that has had an answered call and holds no open one (one that spent nothing first), never one with a call open', () => {
    const s = settings({ max_ledgers_per_partition: 100 });
    const state = new VerdictState(s, deck());
    // 100 accounts that had an answered call: 40 on it still, 10 that hung up after spending, 50 that spent nothing
    for (let i = 0; i < 100; i++) {
      feed(state, 0, { at: T0, account: `a${i}`, method: 'INVITE', status: 200, to: i < 50 ? INTL : LOCAL, call_id: `c${i}` });
      if (i >= 40) feed(state, 0, { at: T0 + (i < 50 ? 5 * MINUTE : 0), account: `a${i}`, method: 'BYE', call_id: `c${i}` });
    }
    feed(state, 0, { at: T0 + HOUR, account: 'newcomer', method: 'INVITE', status: 403, to: LOCAL, call_id: 'n' });
    expect(has(state, 0, 'account:newcomer')).toBe(true);
    expect(Array.from({ length: 100 }, (_, i) => i).filter((i) => !has(state, 0, `account:a${i}`))).toEqual([50]);
    expect(state.bound).toEqual({ displaced: 1, over: 0 });
    expect(state.concurrent('account:a0', true, T0 + HOUR)).toBe(1);
  });

  it('admits a new ledger over the bound (counted) rather than drop one holding an open call', () => {
    const state = new VerdictState(settings({ max_ledgers_per_partition: 100 }), deck());
    for (let i = 0; i < 100; i++) feed(state, 0, { at: T0, account: `a${i}`, method: 'INVITE', status: 200, to: LOCAL, call_id: `c${i}` });
    feed(state, 0, { at: T0 + MINUTE, account: 'newcomer', method: 'INVITE', status: 200, to: LOCAL, call_id: 'n' });
    expect(state.sizes()).toEqual({ ledgers: 101, indexed: 101, calls: 101 });
    expect(state.bound).toEqual({ displaced: 0, over: 1 });
  });
});
