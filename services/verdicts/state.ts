// The verdict service's state, held per input partition like the detect stages: a partition's
// state is built only from that partition's records and dropped with it (revocation, a failed
// batch), so it is rebuilt exactly when the records are read again. A query looks across the
// partitions this member holds: blocks and flags from decisions.v1 and findings.v1, calls from the
// by-account flows (an account's calls all arrive on one partition; a tenant's spread, and are summed).
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
  /** answered calls by Call-ID: where a BYE without an account (flows.sip.v1) finds its call */
  readonly calls = new Map<string, LedgerKey[]>();
}

const NONE: readonly CallLedger[] = [];
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** decisions that stop a source, a peer or an account; rate limits and alerts do not deny a call */
const DENYING = new Set<Decision['action']>(['block', 'deny-peer', 'suspend-account']);

export class VerdictState implements StateView {
  private readonly parts = new Map<string, PartitionState>();
  /** every ledger of a key across the partitions held: a verdict reads a short list, not every partition */
  private readonly ledgersOf = new Map<LedgerKey, CallLedger[]>();

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
      for (const [k, l] of st.ledgers) {
        const rest = this.ledgersOf.get(k)?.filter((x) => x !== l) ?? [];
        if (rest.length) this.ledgersOf.set(k, rest);
        else this.ledgersOf.delete(k);
      }
    }
  }

  get partitions(): number {
    return this.parts.size;
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
      const l = this.ledger(st, k);
      if (l.open.has(r.sip.call_id)) continue; // a re-INVITE
      l.attempted(at, dest.international);
      if (r.sip.status !== undefined && r.sip.status >= 200 && r.sip.status < 300) {
        l.answered(r.sip.call_id, at + (r.event?.duration ?? 0) / 1e6, rate, dest.international);
        st.calls.set(r.sip.call_id, keys);
      }
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

  private ledger(st: PartitionState, k: LedgerKey): CallLedger {
    let l = st.ledgers.get(k);
    if (!l) {
      st.ledgers.set(k, (l = new CallLedger(this.s.baseline.days, this.s.max_call_seconds * 1000)));
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
    let out = { busiestHour: 0, historyHours: 0 };
    for (const l of this.ledgersOf.get(`account:${account}`) ?? NONE) {
      const b = l.baseline(now);
      out = { busiestHour: Math.max(out.busiestHour, b.busiestHour), historyHours: Math.max(out.historyHours, b.historyHours) };
    }
    return out;
  }
}
