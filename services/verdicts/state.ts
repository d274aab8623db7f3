// The verdict service's state, held per input partition like the detect stages: a partition's
// state is built only from that partition's records and dropped with it (revocation, a failed
// batch), so it is rebuilt exactly when the records are read again. A query looks across the
// partitions this member holds: blocks and flags from decisions.v1 and findings.v1, calls from the
// by-account flows (an account's calls all arrive on one partition; a tenant's spread, and are summed).
//
// Ledgers are bounded two ways. sweep() walks them a slice at a time and drops those with nothing
// left (CallLedger.prune): an account whose history has aged out reads as a new one either way.
// And a partition holds at most verdicts.max_ledgers_per_partition: at the bound, a new account name
// displaces the least recently seen one that never had a call answered (a flood of invented names
// displaces its own), else an old one holding no open call (one that spent nothing today first); a
// ledger with a call open is never dropped (if every one looked at holds one, the new ledger is
// admitted over the bound, and counted).
import type { Decision, Finding, Severity, SipFlow } from '../core/records';
import { chargedAccount } from '../core/accounts';
import type { VerdictSettings } from '../core/verdict-config';
import { CallLedger } from './call-ledger';
import { normaliseDestination, type Destination } from './destination';
import type { RateDeck } from './rate-deck';
import { RestrictionTable, type Restriction } from './restrictions';

export type LedgerKey = `account:${string}` | `tenant:${string}`;

/** What the rules read. */
export interface StateView {
  blockOf(ip: string, now: number): Restriction | undefined;
  suspensionOf(account: string, now: number): Restriction | undefined;
  concurrent(key: LedgerKey, international: boolean, now: number): number;
  spend(key: LedgerKey, windowMs: number, now: number): number;
  internationalInHour(account: string, now: number): number;
  baseline(account: string, now: number): { busiestHour: number; historyHours: number };
}

class PartitionState {
  readonly addresses = new RestrictionTable();
  readonly accounts = new RestrictionTable();
  readonly ledgers = new Map<LedgerKey, CallLedger>();
  /** keys of the ledgers no call was answered on, least recently seen first: the first displaced at the bound */
  readonly unanswered = new Set<LedgerKey>();
  /** where displacement resumes in `unanswered` (a live iterator: a fresh one would step over every deleted entry) */
  displaceAt: Iterator<LedgerKey> | undefined;
  /** answered calls by Call-ID: where a BYE without an account (flows.sip.v1) finds its call */
  readonly calls = new Map<string, LedgerKey[]>();
  /** the latest flow event time applied: the sweep ages this partition's ledgers against it, never past the clock */
  latest = Number.NEGATIVE_INFINITY;
}

/** Where the sweep stands: one partition's ledgers, then its calls, through live iterators. */
interface SweepCursor {
  part: string;
  st: PartitionState;
  ledgers: Iterator<[LedgerKey, CallLedger]> | undefined;
  calls: Iterator<[string, LedgerKey[]]> | undefined;
  /** entries this pass still looks at: ends a pass while new entries keep arriving */
  left: number;
}

export interface SweepResult {
  /** ledgers and calls looked at (at most the budget) */
  looked: number;
  /** empty ledgers dropped */
  dropped: number;
  /** calls no ledger holds any more, forgotten */
  forgotten: number;
}

const NONE: readonly CallLedger[] = [];
/** at the bound, ledgers that had an answered call looked at for one without an open call */
const DISPLACE_SCAN = 64;
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** decisions that stop a source, a peer or an account; rate limits and alerts do not deny a call */
const DENYING = new Set<Decision['action']>(['block', 'deny-peer', 'suspend-account']);

export class VerdictState implements StateView {
  private readonly parts = new Map<string, PartitionState>();
  /** every ledger of a key across the partitions held: a verdict reads a short list, not every partition */
  private readonly ledgersOf = new Map<LedgerKey, CallLedger[]>();
  /** partitions the sweep has yet to visit this round, and where it stands in the current one */
  private sweepQueue: string[] = [];
  private cursor: SweepCursor | undefined;
  /** ledgers dropped to stay within the bound, and ledgers admitted over it (every one looked at held an open call) */
  readonly bound = { displaced: 0, over: 0 };

  constructor(private readonly s: VerdictSettings, private readonly deck: RateDeck) {}

  partition(topic: string, p: number): PartitionState {
    const k = `${topic}#${p}`;
    let st = this.parts.get(k);
    if (!st) this.parts.set(k, (st = new PartitionState()));
    return st;
  }

  drop(topic: string, partitions: number[]): void {
    for (const p of partitions) {
      const st = this.parts.get(`${topic}#${p}`);
      if (!st) continue;
      this.parts.delete(`${topic}#${p}`);
      for (const [k, l] of st.ledgers) this.unindex(k, l);
    }
  }

  get partitions(): number {
    return this.parts.size;
  }

  /** Ledgers held, over the partitions (cheap: a gauge reads it every second). */
  get ledgerCount(): number {
    let n = 0;
    for (const st of this.parts.values()) n += st.ledgers.size;
    return n;
  }

  /** Ledgers held in the partitions, ledgers in the index (the same when consistent), calls held by Call-ID; walks the index (tests). */
  sizes(): { ledgers: number; indexed: number; calls: number } {
    let ledgers = 0;
    let calls = 0;
    for (const st of this.parts.values()) {
      ledgers += st.ledgers.size;
      calls += st.calls.size;
    }
    let indexed = 0;
    for (const all of this.ledgersOf.values()) indexed += all.length;
    return { ledgers, indexed, calls };
  }

  // ---- forgetting ----

  /**
   * Looks at up to `budget` ledgers and calls, from where the last call stopped: drops ledgers with
   * nothing left (CallLedger.prune, at the partition's latest event time, never past `now`) and
   * forgets calls no ledger holds open any more. A round visits every partition, ledgers then
   * calls; a call starts at most one new round, so it stops early when there is little to look at.
   */
  sweep(now: number, budget: number): SweepResult {
    const out: SweepResult = { looked: 0, dropped: 0, forgotten: 0 };
    let rounds = 0;
    while (out.looked < budget) {
      const c = this.cursor;
      if (!c) {
        if (this.sweepQueue.length === 0) {
          if (rounds++ > 0) break;
          this.sweepQueue = [...this.parts.keys()];
          if (this.sweepQueue.length === 0) break;
        }
        const part = this.sweepQueue.shift()!;
        const st = this.parts.get(part);
        if (st) this.cursor = { part, st, ledgers: st.ledgers.entries(), calls: undefined, left: st.ledgers.size };
        continue;
      }
      if (this.parts.get(c.part) !== c.st) {
        this.cursor = undefined; // dropped meanwhile (a revocation)
        continue;
      }
      if (c.ledgers) {
        const next = c.left-- > 0 ? c.ledgers.next() : undefined;
        if (!next || next.done) {
          c.ledgers = undefined;
          c.calls = c.st.calls.entries();
          c.left = c.st.calls.size;
          continue;
        }
        out.looked++;
        const [k, l] = next.value;
        if (l.prune(Math.min(now, c.st.latest))) {
          this.forget(c.st, k, l);
          out.dropped++;
        }
      } else {
        const next = c.left-- > 0 ? c.calls!.next() : undefined;
        if (!next || next.done) {
          this.cursor = undefined;
          continue;
        }
        out.looked++;
        const [id, keys] = next.value;
        if (!keys.some((k) => c.st.ledgers.get(k)?.isOpen(id))) {
          c.st.calls.delete(id);
          out.forgotten++;
        }
      }
    }
    return out;
  }

  private forget(st: PartitionState, k: LedgerKey, l: CallLedger): void {
    st.ledgers.delete(k);
    st.unanswered.delete(k);
    this.unindex(k, l);
  }

  private unindex(k: LedgerKey, l: CallLedger): void {
    const rest = this.ledgersOf.get(k)?.filter((x) => x !== l) ?? [];
    if (rest.length) this.ledgersOf.set(k, rest);
    else this.ledgersOf.delete(k);
  }

  /**
   * At the bound: the least recently seen ledger without an answered call goes; else, of the oldest
   * DISPLACE_SCAN, one holding no open call (one that spent nothing in the last day first); never
   * one of `keep` (the flow's own keys). If each of those holds an open call, nothing goes.
   */
  private makeRoom(st: PartitionState, keep: readonly LedgerKey[]): void {
    for (let pass = 0; pass < 2 && st.unanswered.size > 0; pass++) {
      st.displaceAt ??= st.unanswered.values();
      for (let next = st.displaceAt.next(); !next.done; next = st.displaceAt.next()) {
        if (keep.includes(next.value)) continue;
        this.forget(st, next.value, st.ledgers.get(next.value)!);
        this.bound.displaced++;
        return;
      }
      st.displaceAt = undefined; // at the end: again from the least recently seen
    }
    // every account here had a call answered: one with nothing open and nothing spent today, else nothing open
    let spender: [LedgerKey, CallLedger] | undefined;
    let looked = 0;
    for (const [k, l] of st.ledgers) {
      if (looked++ >= DISPLACE_SCAN) break;
      if (keep.includes(k)) continue;
      if (l.openCount === 0 && !l.hasSpend()) {
        this.forget(st, k, l);
        this.bound.displaced++;
        return;
      }
      if (l.openCount === 0) spender ??= [k, l];
      // to the back, so the next look starts with others
      st.ledgers.delete(k);
      st.ledgers.set(k, l);
    }
    if (spender) {
      this.forget(st, ...spender);
      this.bound.displaced++;
    } else this.bound.over++;
  }

  // ---- input ----

  /** An enforced decision that stops a target; an unblock lifts it. Dry-run decisions change nothing, nor do our own deny-call records. */
  applyDecision(st: PartitionState, d: Decision): void {
    if (d.mode !== 'enforce' || !d.target) return;
    const table = d.target.type === 'account' ? st.accounts : st.addresses;
    const isRange = d.target.type === 'cidr';
    if (d.action === 'unblock') return table.remove(d.target.value, isRange);
    if (!DENYING.has(d.action)) return;
    const at = Date.parse(d['@timestamp']);
    table.put(d.target.value, { until: at + d.ttl_seconds * 1000, reason: `${d.action}: ${d.reason}`, finding_ids: d.finding_ids ?? [], decision_id: d.id }, isRange);
  }

  /** An account finding at or above verdicts.flag.min_severity flags the account for verdicts.flag.seconds. */
  applyFinding(st: PartitionState, f: Finding): void {
    if (f.key?.type !== 'account' || SEVERITY_RANK[f.severity] < SEVERITY_RANK[this.s.flag.min_severity]) return;
    const at = Date.parse(f.last_seen ?? f['@timestamp']);
    st.accounts.put(f.key.value, { until: at + this.s.flag.seconds * 1000, reason: `flagged by ${f.rule.id}: ${f.rule.name}`, finding_ids: [f.event.id] });
  }

  /** INVITE and BYE transactions of an account: attempts, answered calls, hang-ups. */
  applyFlow(st: PartitionState, r: SipFlow): void {
    const account = chargedAccount(r);
    if (!account || !r.sip?.call_id) return;
    const at = Date.parse(r['@timestamp']);
    if (!Number.isFinite(at)) return;
    if (at > st.latest) st.latest = at;
    const tenant = this.s.accounts[account]?.tenant ?? r.organization?.id;
    const keys: LedgerKey[] = tenant ? [`account:${account}`, `tenant:${tenant}`] : [`account:${account}`];
    const method = r.sip.method;
    if (method === 'BYE' || method === 'CANCEL') {
      for (const k of keys) st.ledgers.get(k)?.hungUp(r.sip.call_id, at);
      st.calls.delete(r.sip.call_id);
      return;
    }
    if (method !== 'INVITE') return;
    // a challenged INVITE is retried with credentials under the same Call-ID: count the retry
    if (r.sip.status === 401 || r.sip.status === 407) return;
    const dest = this.destinationOf(r);
    const rate = this.deck.price(dest.e164);
    for (const k of keys) {
      const l = this.ledger(st, k, keys);
      if (l.isOpen(r.sip.call_id)) continue; // a re-INVITE
      l.attempted(at, dest.international);
      if (r.sip.status !== undefined && r.sip.status >= 200 && r.sip.status < 300) {
        l.answered(r.sip.call_id, at + (r.event?.duration ?? 0) / 1e6, rate, dest.international);
        st.unanswered.delete(k);
        st.calls.set(r.sip.call_id, keys);
      } else if (st.unanswered.delete(k)) st.unanswered.add(k); // now the most recently seen
    }
  }

  /**
   * A BYE (or CANCEL) from flows.sip.v1: in-dialog requests carry no credentials, so most never
   * reach the by-account topic. The call is found by its Call-ID on whichever partition holds it.
   */
  applyHangup(r: SipFlow): void {
    const method = r.sip?.method;
    if ((method !== 'BYE' && method !== 'CANCEL') || !r.sip.call_id) return;
    const at = Date.parse(r['@timestamp']);
    if (!Number.isFinite(at)) return;
    for (const st of this.parts.values()) {
      const keys = st.calls.get(r.sip.call_id);
      if (!keys) continue;
      for (const k of keys) st.ledgers.get(k)?.hungUp(r.sip.call_id, at);
      st.calls.delete(r.sip.call_id);
    }
  }

  private destinationOf(r: SipFlow): Destination {
    return normaliseDestination(r.sip.to?.user ?? r.sip.request_uri ?? '', this.s.home_country);
  }

  private ledger(st: PartitionState, k: LedgerKey, keep: readonly LedgerKey[]): CallLedger {
    let l = st.ledgers.get(k);
    if (!l) {
      if (st.ledgers.size >= this.s.max_ledgers_per_partition) this.makeRoom(st, keep);
      st.ledgers.set(k, (l = new CallLedger(this.s.baseline.days, this.s.max_call_seconds * 1000)));
      st.unanswered.add(k);
      const all = this.ledgersOf.get(k);
      if (all) all.push(l);
      else this.ledgersOf.set(k, [l]);
    }
    return l;
  }

  // ---- the view the rules read ----

  blockOf(ip: string, now: number): Restriction | undefined {
    for (const st of this.parts.values()) {
      const r = st.addresses.get(ip, now);
      if (r) return r;
    }
    return undefined;
  }

  suspensionOf(account: string, now: number): Restriction | undefined {
    for (const st of this.parts.values()) {
      const r = st.accounts.get(account, now);
      if (r) return r;
    }
    return undefined;
  }

  concurrent(key: LedgerKey, international: boolean, now: number): number {
    let n = 0;
    for (const l of this.ledgersOf.get(key) ?? NONE) n += l.concurrent(international, now);
    return n;
  }

  spend(key: LedgerKey, windowMs: number, now: number): number {
    let sum = 0;
    for (const l of this.ledgersOf.get(key) ?? NONE) sum += l.spend(windowMs, now);
    return sum;
  }

  internationalInHour(account: string, now: number): number {
    let n = 0;
    for (const l of this.ledgersOf.get(`account:${account}`) ?? NONE) n += l.internationalInHour(now);
    return n;
  }

  baseline(account: string, now: number): { busiestHour: number; historyHours: number } {
    const all = this.ledgersOf.get(`account:${account}`) ?? NONE;
    // an account's calls are on one partition: one ledger, whose reading is the answer
    if (all.length === 1) return all[0].baseline(now);
    let busiestHour = 0;
    let historyHours = 0;
    for (const l of all) {
      const b = l.baseline(now);
      busiestHour = Math.max(busiestHour, b.busiestHour);
      historyHours = Math.max(historyHours, b.historyHours);
    }
    return { busiestHour, historyHours };
  }
}
