// The calls of one account (or one tenant, on one partition): calls open now, what ended calls
// cost over the last day, and international calls per hour over the baseline's days. Bounded: a day
// of minute buckets, the baseline's hours, and open calls that end or age out (max_call_seconds).
// prune() drops what no verdict reads any more and says when nothing is left: such a ledger reads as
// a new account's, so the state can forget it (VerdictState.sweep).
//
// Compact, because there is one per account and they live as long as the service: a full garbage
// collection marks every object they hold, and holds every verdict while it cannot keep up (a
// ledger of tuples and maps made it 100 ms on a 2-core machine under load). So the ended minutes
// are one flat array of numbers, the maps exist only once something is in them, and no verdict
// allocates anything a ledger keeps.

const MINUTE = 60_000;
export const HOUR = 3_600_000;
const DAY = 86_400_000;
const DAY_MINUTES = DAY / MINUTE;

interface OpenCall {
  start: number;
  ratePerMinute: number;
  international: boolean;
}

export class CallLedger {
  /** open calls by Call-ID, made with the first (most accounts have none open) */
  private openCalls: Map<string, OpenCall> | undefined;
  private openLocal = 0;
  private openInternational = 0;
  /** ended calls' cost by the minute they ended, oldest first, flat pairs [minute, cost, minute, cost, ...]: at most a day of minutes */
  private ended: number[] = [];
  /** hour index -> international call attempts, made with the first */
  private intlHours: Map<number, number> | undefined;
  /**
   * Event times of the first and the latest call attempt of the account's history. A history ends
   * when no attempt is seen for the baseline's days: the next attempt starts a new one, as it would
   * for an account never seen (whose ledger the sweep may already have dropped).
   */
  firstSeen: number | undefined;
  lastSeen: number | undefined;
  /**
   * Ended calls' cost for the two windows last asked about, summed in minute `sums[0]`:
   * [minute, window, sum, window, sum]. Queries are many and minutes few. Made once and rewritten in
   * place (an array of doubles): a fresh object per query and minute would outlive a young
   * collection in this long-lived ledger, and every one promoted brings a full collection closer.
   */
  private sums: number[] | undefined;
  private expiredAt = -1;

  constructor(private readonly baselineDays: number, private readonly maxCallMs: number) {}

  private get historyMs(): number {
    return this.baselineDays * DAY;
  }

  /** Calls open now (as last expired). */
  get openCount(): number {
    return this.openLocal + this.openInternational;
  }

  isOpen(callId: string): boolean {
    return this.openCalls?.has(callId) ?? false;
  }

  /** An answered call (a 2xx to its INVITE); a re-INVITE of an open call changes nothing. */
  answered(callId: string, at: number, ratePerMinute: number, international: boolean): void {
    const open = (this.openCalls ??= new Map());
    if (open.has(callId)) return;
    open.set(callId, { start: at, ratePerMinute, international });
    if (international) this.openInternational++;
    else this.openLocal++;
  }

  /** A call attempt (counted once per call): feeds the baseline. */
  attempted(at: number, international: boolean): void {
    if (!this.seen(at) || !international) return;
    const h = Math.floor(at / HOUR);
    const hours = (this.intlHours ??= new Map());
    hours.set(h, (hours.get(h) ?? 0) + 1);
    const oldest = h - this.baselineDays * 24;
    if (hours.size > this.baselineDays * 24 + 1) for (const k of hours.keys()) if (k < oldest) hours.delete(k);
  }

  /** An attempt at `at` joins the history (or starts one); false: a late one from before a silence that ended it, not counted. */
  private seen(at: number): boolean {
    if (this.lastSeen === undefined || at - this.lastSeen > this.historyMs) {
      // a new history: what the ended one counted is not the account's baseline any more
      this.firstSeen = this.lastSeen = at;
      this.intlHours = undefined;
      return true;
    }
    if (at > this.lastSeen) this.lastSeen = at;
    else if (at < this.firstSeen!) {
      if (this.firstSeen! - at > this.historyMs) return false;
      this.firstSeen = at;
    }
    return true;
  }

  /** History that has ended by `now`: no attempt for the baseline's days. */
  private aged(now: number): boolean {
    return this.lastSeen === undefined || now - this.lastSeen > this.historyMs;
  }

  /** A BYE: the call's cost moves to the ended calls. */
  hungUp(callId: string, at: number): void {
    const c = this.openCalls?.get(callId);
    if (!c) return;
    this.openCalls!.delete(callId);
    if (this.openCalls!.size === 0) this.openCalls = undefined;
    if (c.international) this.openInternational--;
    else this.openLocal--;
    this.addEnded(at, (c.ratePerMinute * Math.max(0, at - c.start)) / MINUTE);
  }

  private addEnded(at: number, cost: number): void {
    if (cost <= 0) return;
    const minute = Math.floor(at / MINUTE);
    // a cached window sum that this minute falls in grows by the cost
    const sums = this.sums;
    if (sums) for (let i = 1; i < 5; i += 2) if (minute * MINUTE >= sums[0] * MINUTE - sums[i]) sums[i + 1] += cost;
    const e = this.ended;
    // pairs: e[i] is a minute, e[i + 1] its cost; find where this minute goes, from the newest (calls end in order but for late ones)
    let i = e.length;
    while (i > 0 && e[i - 2] > minute) i -= 2;
    if (i > 0 && e[i - 2] === minute) e[i - 1] += cost;
    else if (i === e.length) e.push(minute, cost);
    else e.splice(i, 0, minute, cost);
    let old = 0;
    while (old < e.length && e[old] <= minute - DAY_MINUTES) old += 2;
    if (old > 0) e.splice(0, old);
  }

  /** Open calls older than max_call_seconds are taken as ended then (their BYE was missed); looked at once a minute. */
  private expire(now: number): void {
    const minute = Math.floor(now / MINUTE);
    if (minute === this.expiredAt) return;
    this.expiredAt = minute;
    this.expireAt(now);
  }

  private expireAt(now: number): void {
    if (this.openCalls) for (const [id, c] of this.openCalls) if (now - c.start > this.maxCallMs) this.hungUp(id, c.start + this.maxCallMs);
  }

  concurrent(international: boolean, now: number): number {
    this.expire(now);
    return international ? this.openInternational : this.openLocal;
  }

  /** Cost over the last windowMs: ended calls by the minute they ended, open calls by the time elapsed inside the window. */
  spend(windowMs: number, now: number): number {
    this.expire(now);
    const from = now - windowMs;
    let sum = this.endedSum(windowMs, now);
    if (this.openCalls) for (const c of this.openCalls.values()) sum += (c.ratePerMinute * Math.max(0, now - Math.max(c.start, from))) / MINUTE;
    return sum;
  }

  /** Ended calls' cost in the window, summed once a minute (per window) and kept up to date as calls end. */
  private endedSum(windowMs: number, now: number): number {
    const minute = Math.floor(now / MINUTE);
    const sums = (this.sums ??= [NaN, NaN, NaN, NaN, NaN]);
    if (sums[0] !== minute) this.forgetSums(minute);
    if (sums[1] === windowMs) return sums[2];
    if (sums[3] === windowMs) return sums[4];
    let sum = 0;
    const e = this.ended;
    for (let i = e.length - 2; i >= 0 && e[i] * MINUTE >= minute * MINUTE - windowMs; i -= 2) sum += e[i + 1];
    // the free slot, else the first (the one asked about before it moves to the second)
    if (Number.isNaN(sums[1])) {
      sums[1] = windowMs;
      sums[2] = sum;
    } else {
      sums[3] = sums[1];
      sums[4] = sums[2];
      sums[1] = windowMs;
      sums[2] = sum;
    }
    return sum;
  }

  private forgetSums(minute: number): void {
    if (!this.sums) return;
    this.sums.fill(NaN);
    this.sums[0] = minute;
  }

  internationalInHour(now: number): number {
    return this.intlHours?.get(Math.floor(now / HOUR)) ?? 0;
  }

  /** The busiest hour of international calls over the baseline's days, the current hour left out; and how many hours of history there are. */
  baseline(now: number): { busiestHour: number; historyHours: number } {
    if (this.aged(now)) return { busiestHour: 0, historyHours: 0 };
    const h = Math.floor(now / HOUR);
    let busiest = 0;
    if (this.intlHours) for (const [k, n] of this.intlHours) if (k < h && k >= h - this.baselineDays * 24 && n > busiest) busiest = n;
    return { busiestHour: busiest, historyHours: Math.max(0, (now - this.firstSeen!) / HOUR) };
  }

  /** Ended calls cost something in the last day (the spend quotas read it). */
  hasSpend(): boolean {
    return this.ended.length > 0;
  }

  /**
   * Drops what no verdict at `now` or later reads: open calls past max_call_seconds (taken as ended,
   * as a verdict would take them), ended calls' minutes over a day old, international hours older
   * than the baseline's days (all of them once the history has ended). True when nothing is left and
   * the history has ended: every reading is then a new account's (no calls open, nothing spent, the
   * hard cap), so the ledger can go.
   */
  prune(now: number): boolean {
    this.expireAt(now);
    // the day's window sums minutes from the one a day before the current one (endedSum)
    const oldestMinute = Math.floor(now / MINUTE) - DAY_MINUTES;
    const e = this.ended;
    let old = 0;
    while (old < e.length && e[old] < oldestMinute) old += 2;
    if (old > 0) {
      e.splice(0, old);
      this.forgetSums(NaN);
    }
    const aged = this.aged(now);
    if (aged) this.intlHours = undefined; // the ended history's, read no more
    else if (this.intlHours) {
      // hours arrive in order but for late calls: stop at the first one still read (a late older one goes with it later)
      const oldestHour = Math.floor(now / HOUR) - this.baselineDays * 24;
      for (const h of this.intlHours.keys()) {
        if (h >= oldestHour) break;
        this.intlHours.delete(h);
      }
      if (this.intlHours.size === 0) this.intlHours = undefined;
    }
    return aged && this.openCount === 0 && this.ended.length === 0;
  }
}
