// The calls of one account (or one tenant, on one partition): calls open now, what ended calls
// cost over the last day, and international calls per hour over the baseline's days. Bounded: a day
// of minute buckets, the baseline's hours, and open calls that end or age out (max_call_seconds).

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
  /** event time of the first call seen: history starts there */
  firstSeen: number | undefined;
  /** open calls by kind, kept as calls open and end (a tenant's may be many) */
  private openCount = { local: 0, international: 0 };
  /** ended calls' cost by window, for the minute it was summed in: queries are many, minutes few */
  private sums: { minute: number; byWindow: Map<number, number> } | undefined;
  private expiredAt = -1;

  constructor(private readonly baselineDays: number, private readonly maxCallMs: number) {}

  /** An answered call (a 2xx to its INVITE); a re-INVITE of an open call changes nothing. */
  answered(callId: string, at: number, ratePerMinute: number, international: boolean): void {
    if (this.open.has(callId)) return;
    this.open.set(callId, { start: at, ratePerMinute, international });
    this.openCount[international ? 'international' : 'local']++;
  }

  /** A call attempt (counted once per call): feeds the baseline. */
  attempted(at: number, international: boolean): void {
    this.firstSeen = Math.min(this.firstSeen ?? at, at);
    if (!international) return;
    const h = Math.floor(at / HOUR);
    this.intlHours.set(h, (this.intlHours.get(h) ?? 0) + 1);
    const oldest = h - this.baselineDays * 24;
    if (this.intlHours.size > this.baselineDays * 24 + 1) for (const k of this.intlHours.keys()) if (k < oldest) this.intlHours.delete(k);
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
    const h = Math.floor(now / HOUR);
    let busiest = 0;
    for (const [k, n] of this.intlHours) if (k < h && k >= h - this.baselineDays * 24 && n > busiest) busiest = n;
    return { busiestHour: busiest, historyHours: this.firstSeen === undefined ? 0 : Math.max(0, (now - this.firstSeen) / HOUR) };
  }

  empty(): boolean {
    return this.open.size === 0 && this.ended.length === 0 && this.intlHours.size === 0;
  }
}
