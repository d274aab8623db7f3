// One ledger's pruning on a fake clock: what it drops, when it is empty, and that pruning never
// changes what a verdict reads.
import fc from 'fast-check';
import { CallLedger, HOUR } from './call-ledger';

const MINUTE = 60_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-07T00:00:00Z');

/** Every reading a rule makes of a ledger. */
function readings(l: CallLedger, now: number) {
  return {
    spentHour: l.spend(HOUR, now),
    spentDay: l.spend(DAY, now),
    local: l.concurrent(false, now),
    international: l.concurrent(true, now),
    intlThisHour: l.internationalInHour(now),
    baseline: l.baseline(now),
  };
}

describe('CallLedger.prune', () => {
  it('keeps an open call until max_call_seconds, its cost for a day after, and the ledger until the history has aged out', () => {
    const l = new CallLedger(7, 4 * HOUR);
    l.attempted(T0, true);
    l.answered('c1', T0, 1, true);
    expect(l.prune(T0 + HOUR)).toBe(false);
    expect(l.concurrent(true, T0 + HOUR)).toBe(1);

    // the BYE was missed: taken as ended at max_call_seconds, 240 minutes at 1 a minute
    expect(l.prune(T0 + 5 * HOUR)).toBe(false);
    expect(l.openCount).toBe(0);
    expect(l.spend(DAY, T0 + 5 * HOUR)).toBeCloseTo(240);

    // a day after it ended nothing is spent, but the account's history still counts
    expect(l.prune(T0 + 4 * HOUR + DAY + 2 * MINUTE)).toBe(false);
    expect(l.hasSpend()).toBe(false);
    expect(l.baseline(T0 + 2 * DAY).historyHours).toBe(48);

    expect(l.prune(T0 + 7 * DAY + MINUTE)).toBe(true);
    expect(readings(l, T0 + 7 * DAY + MINUTE)).toEqual(readings(new CallLedger(7, 4 * HOUR), T0 + 7 * DAY + MINUTE));
  });

  it('a first call seen keeps no ledger alive: attempts alone age out with the baseline days, and the account reads as new', () => {
    const l = new CallLedger(7, 4 * HOUR);
    l.attempted(T0, false);
    expect(l.prune(T0 + 7 * DAY)).toBe(false);
    expect(l.baseline(T0 + 7 * DAY).historyHours).toBe(7 * 24);
    expect(l.prune(T0 + 7 * DAY + 1)).toBe(true);
    expect(l.baseline(T0 + 7 * DAY + 1)).toEqual({ busiestHour: 0, historyHours: 0 });
  });

  it('a history runs on while calls come within the baseline days, and starts again after a longer silence', () => {
    const l = new CallLedger(7, 4 * HOUR);
    for (let d = 0; d <= 30; d += 5) l.attempted(T0 + d * DAY, true);
    expect(l.baseline(T0 + 30 * DAY).historyHours).toBe(30 * 24);
    l.attempted(T0 + 38 * DAY, false);
    expect(l.baseline(T0 + 38 * DAY + HOUR).historyHours).toBe(1);
    // a late attempt from the silence's far side does not join the histories
    l.attempted(T0 + 29 * DAY, false);
    expect(l.baseline(T0 + 38 * DAY + HOUR).historyHours).toBe(1);
  });

  it('never changes a reading: a ledger pruned every hour answers as its unpruned twin, over ten days of calls', () => {
    const pruned = new CallLedger(3, 2 * HOUR);
    const twin = new CallLedger(3, 2 * HOUR);
    let n = 0;
    for (let t = T0; t < T0 + 10 * DAY; t += 20 * MINUTE) {
      const hour = Math.floor((t - T0) / HOUR);
      // busy for two days, silent for four, busy again: calls answered, hung up, left open, refused
      const busy = hour < 48 || hour >= 144;
      if (busy) {
        for (const l of [pruned, twin]) {
          const intl = n % 3 === 0;
          l.attempted(t, intl);
          if (n % 2 === 0) l.answered(`c${n}`, t, intl ? 0.5 : 0.02, intl);
          if (n % 4 === 0) l.hungUp(`c${n}`, t + 7 * MINUTE);
        }
        n++;
      }
      if (t % HOUR === 0) pruned.prune(t);
      expect(readings(pruned, t + MINUTE)).toEqual(readings(twin, t + MINUTE));
    }
  });
});

describe('CallLedger.spend', () => {
  it('answers from its per-minute sums as a recount of every ended call would, whatever the order of calls and questions', () => {
    // time between steps: often within the minute (a question, then a call ending, then the question again), sometimes hours
    const gap = fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20 * MINUTE }), fc.integer({ min: 0, max: 30 * HOUR }));
    // steps: a call that ends (start offset, duration, rate) or a question (a window of three, so the two cached sums are evicted)
    const step = fc.oneof(
      fc.record({ kind: fc.constant('call' as const), after: gap, seconds: fc.integer({ min: 1, max: 1800 }), rate: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ kind: fc.constant('ask' as const), after: gap, window: fc.constantFrom(HOUR, DAY, 2 * HOUR) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const l = new CallLedger(7, 4 * HOUR);
        const ended: Array<{ minute: number; cost: number }> = [];
        let now = T0;
        steps.forEach((st, i) => {
          now += st.after;
          if (st.kind === 'call') {
            const start = now - st.seconds * 1000;
            l.answered(`c${i}`, start, st.rate / 100, false);
            l.hungUp(`c${i}`, now);
            ended.push({ minute: Math.floor(now / MINUTE), cost: ((st.rate / 100) * st.seconds * 1000) / MINUTE });
            return;
          }
          const minute = Math.floor(now / MINUTE);
          const recount = ended.filter((e) => e.minute * MINUTE >= minute * MINUTE - st.window && e.minute > minute - DAY / MINUTE).reduce((a, e) => a + e.cost, 0);
          expect(l.spend(st.window, now)).toBeCloseTo(recount, 9);
        });
      }),
      { numRuns: 300 },
    );
  });
});
