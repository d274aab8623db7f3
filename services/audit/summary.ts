// What an auditor reads first: detections by family, actions taken, operator changes, refusals by
// guardrail, and blocks that hit allowlisted ranges (there should be none). Built entry by entry.
import { CidrSet, parseCidr, cidrContains } from '../core/cidr';
import type { AuditEntry } from '../core/records';

export interface OperatorChange {
  sequence: number;
  at: string;
  who: string;
  what: string;
  why: string;
  ticket: string;
  result: string;
}

export interface AllowlistHit {
  sequence: number;
  at: string;
  what: string;
  result: string;
  range: string;
}

export interface Summary {
  entries: number;
  /** family (the detector id's prefix) -> detector -> findings */
  detections: Record<string, Record<string, number>>;
  /** action -> outcome -> count, as the enforcer recorded them */
  actions: Record<string, Record<string, number>>;
  operatorChanges: OperatorChange[];
  refusals: Record<string, number>;
  allowlistHits: AllowlistHit[];
}

/** The enforcer's `what` (enforcer/audit-events.ts describe()): `[dry-run ]ACTION TYPE=VALUE at SCOPE[ for Ns]` */
const DESCRIBED = /^(?:dry-run )?(\S+) (ip|cidr|account)=(\S+) at (\S+)/;
const GUARDRAIL = /^(?:refused|alert-only) by guardrail (\S+?):/;
/** actions that take traffic away from a source; an aggregate limit protects our own destination */
const BLOCKING = new Set(['block', 'deny-peer', 'rate-limit']);

/** Keys come from the network ("__proto__", "toString"): tables without a prototype. */
function table<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function bump(t: Record<string, number>, key: string): void {
  t[key] = (t[key] ?? 0) + 1;
}

export class SummaryBuilder {
  private readonly s: Summary = { entries: 0, detections: table(), actions: table(), operatorChanges: [], refusals: table(), allowlistHits: [] };
  private readonly allowlist: CidrSet;
  private readonly ranges: string[];

  constructor(allowlist: string[]) {
    this.ranges = allowlist;
    this.allowlist = new CidrSet(allowlist);
  }

  add(e: AuditEntry): void {
    this.s.entries++;
    if (e.actor.type === 'detector') {
      const family = e.actor.id.split('/')[0];
      bump((this.s.detections[family] ??= table()), e.actor.id);
    } else if (e.actor.type === 'operator') {
      this.s.operatorChanges.push({ sequence: e.sequence, at: e['@timestamp'], who: e.actor.id, what: e.what, why: e.why, ticket: e.ticket ?? '', result: e.result });
    } else if (e.actor.type === 'enforcer') this.enforcer(e);
  }

  result(): Summary {
    return this.s;
  }

  private enforcer(e: AuditEntry): void {
    const described = DESCRIBED.exec(e.what);
    const action = described?.[1] ?? 'other';
    const outcome = e.result.split(/[\s:(]/)[0] || 'other';
    bump((this.s.actions[action] ??= table()), outcome);
    const guardrail = GUARDRAIL.exec(e.result);
    if (guardrail) bump(this.s.refusals, guardrail[1]);
    if (!described || !/^(applied|renewed)\b/.test(e.result) || !BLOCKING.has(action)) return;
    const [, , type, value] = described;
    const range = type === 'ip' ? this.allowlist.match(value)?.text : type === 'cidr' ? this.overlapping(value) : undefined;
    if (range) this.s.allowlistHits.push({ sequence: e.sequence, at: e['@timestamp'], what: e.what, result: e.result, range });
  }

  /** an allowlisted range inside the blocked one, or holding it */
  private overlapping(cidr: string): string | undefined {
    let target;
    try {
      target = parseCidr(cidr);
    } catch {
      return undefined;
    }
    return this.allowlist.match(cidr.split('/')[0])?.text ?? this.ranges.find((r) => cidrContains(target, r.split('/')[0]));
  }
}
