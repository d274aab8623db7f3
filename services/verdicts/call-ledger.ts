// The calls of one account (or one tenant, on one partition): calls open now, what ended calls
// cost over the last day, and international calls per hour over the baseline's days. Bounded: a day
// of minute buckets, the baseline's hours, and open calls that end or age out (max_call_seconds).
// prune() drops what no verdict reads any more and says when nothing is left: such a ledger reads as
// a new account's, so the state can forget it (VerdictState.sweep).

const MINUTE = 60_000;
export const HOUR = 3_600_000;
const DAY = 86_400_000;

interface OpenCall {
  start: number;
  ratePerMinute: number;
  international: boolean;
}

export class CallLedger {
  readonly open = new Map<string, OpenCall>();
  /** [minute, cost] of ended calls, oldest first, at most a day of minutes */
  private readonly ended: Array<[number, number]> = [];
  /** hour index -> international call attempts */
  private readonly intlHours = new Map<number, number>();
  /**
   * Event times of the first and the latest call attempt of the account's history. A history ends
   * when no attempt is seen for the baseline's days: the next attempt starts a new one, as it would
   * for an account never seen (whose ledger the sweep may already have dropped).
   */
  firstSeen: number | undefined;
  lastSeen: number | undefined;
  /** open calls by kind, kept as calls open and end (a tenant's may be many) */
  private openCount = { local: 0, international: 0 };
  /** ended calls' cost by window, for the minute it was summed in: queries are many, minutes few */
  private sums: { minute: number; byWindow: Map<number, number> } | undefined;
  private expiredAt = -1;
  private readonly historyMs: number;

  constructor(private readonly baselineDays: number, private readonly maxCallMs: number) {
    this.historyMs = baselineDays * DAY;
  }

  /** An answered call (a 2xx to its INVITE); a re-INVITE of an open call changes nothing. */
  answered(callId: string, at: number, ratePerMinute: number, international: boolean): void {
    if (this.open.has(callId)) return;
    this.open.set(callId, { start: at, ratePerMinute, international });
    this.openCount[international ? 'international' : 'local']++;
  }

  /** A call attempt (counted once per call): feeds the baseline. */
  attempted(at: number, international: boolean): void {
    if (!this.seen(at) || !international) return;
    const h = Math.floor(at / HOUR);
    this.intlHours.set(h, (this.intlHours.get(h) ?? 0) + 1);
    const oldest = h - this.baselineDays * 24;
    if (this.intlHours.size > this.baselineDays * 24 + 1) for (const k of this.intlHours.keys()) if (k < oldest) this.intlHours.delete(k);
  }

  /** An attempt at `at` joins the history (or starts one); false: a late one from before a silence that ended it, not counted. */
  private seen(at: number): boolean {
    if (this.lastSeen === undefined || at - this.lastSeen > this.historyMs) {
      // a new history: what the ended one counted is not the account's baseline any more
      this.firstSeen = this.lastSeen = at;
      this.intlHours.clear();
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
    const c = this.open.get(callId);
    if (!c) return;
    this.open.delete(callId);
    this.openCount[c.international ? 'international' : 'local']--;
    this.addEnded(at, (c.ratePerMinute * Math.max(0, at - c.start)) / MINUTE);
  }

  private addEnded(at: number, cost: number): void {
    if (cost <= 0) return;
    const minute = Math.floor(at / MINUTE);
    // a cached window sum that this minute falls in grows by the cost
    if (this.sums) for (const [w, sum] of this.sums.byWindow) if (minute * MINUTE >= this.sums.minute * MINUTE - w) this.sums.byWindow.set(w, sum + cost);
    const last = this.ended[this.ended.length - 1];
    if (last && last[0] === minute) last[1] += cost;
    else if (!last || last[0] < minute) this.ended.push([minute, cost]);
    else {
      // late: into its place
      let i = this.ended.length - 1;
      while (i > 0 && this.ended[i - 1][0] > minute) i--;
      if (this.ended[i - 1]?.[0] === minute) this.ended[i - 1][1] += cost;
      else this.ended.splice(i, 0, [minute, cost]);
    }
    const oldest = minute - DAY / MINUTE;
    while (this.ended.length > 0 && this.ended[0][0] <= oldest) this.ended.shift();
  }

  /** Open calls older than max_call_seconds are taken as ended then (their BYE was missed); looked at once a minute. */
  private expire(now: number): void {
    const minute = Math.floor(now / MINUTE);
    if (minute === this.expiredAt) return;
    this.expiredAt = minute;
    this.expireAt(now);
  }

  private expireAt(now: number): void {
    for (const [id, c] of this.open) if (now - c.start > this.maxCallMs) this.hungUp(id, c.start + this.maxCallMs);
  }

  concurrent(international: boolean, now: number): number {
    this.expire(now);
    return this.openCount[international ? 'international' : 'local'];
  }

  /** Cost over the last windowMs: ended calls by the minute they ended, open calls by the time elapsed inside the window. */
  spend(windowMs: number, now: number): number {
    this.expire(now);
    const from = now - windowMs;
    let sum = this.endedSum(windowMs, now);
    for (const c of this.open.values()) sum += (c.ratePerMinute * Math.max(0, now - Math.max(c.start, from))) / MINUTE;
    return sum;
  }

  /** Ended calls' cost in the window, summed once a minute (per window) and kept up to date as calls end. */
  private endedSum(windowMs: number, now: number): number {
    const minute = Math.floor(now / MINUTE);
    if (!this.sums || this.sums.minute !== minute) this.sums = { minute, byWindow: new Map() };
    let sum = this.sums.byWindow.get(windowMs);
    if (sum === undefined) {
      sum = 0;
      for (let i = this.ended.length - 1; i >= 0 && this.ended[i][0] * MINUTE >= minute * MINUTE - windowMs; i--) sum += this.ended[i][1];
      this.sums.byWindow.set(windowMs, sum);
    }
    return sum;
  }

  internationalInHour(now: number): number {
    return this.intlHours.get(Math.floor(now / HOUR)) ?? 0;
  }

  /** The busiest hour of international calls over the baseline's days, the current hour left out; and how many hours of history there are. */
  baseline(now: number): { busiestHour: number; historyHours: number } {
    if (this.aged(now)) return { busiestHour: 0, historyHours: 0 };
    const h = Math.floor(now / HOUR);
    let busiest = 0;
    for (const [k, n] of this.intlHours) if (k < h && k >= h - this.baselineDays * 24 && n > busiest) busiest = n;
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
    const oldestMinute = Math.floor(now / MINUTE) - DAY / MINUTE;
    let old = 0;
    while (old < this.ended.length && this.ended[old][0] < oldestMinute) old++;
    if (old > 0) {
      this.ended.splice(0, old);
      this.sums = undefined;
    }
    const aged = this.aged(now);
    if (aged) this.intlHours.clear(); // the ended history's, read no more
    else {
      // hours arrive in order but for late calls: stop at the first one still read (a late older one goes with it later)
      const oldestHour = Math.floor(now / HOUR) - this.baselineDays * 24;
      for (const h of this.intlHours.keys()) {
        if (h >= oldestHour) break;
        this.intlHours.delete(h);
      }
    }
    return aged && this.open.size === 0 && this.ended.length === 0;
  }
}
