// The recent past the operator API answers from (`findings list|inspect`, `decisions list`, `blocks
// show`): the last N findings and the last N decisions with their outcomes, read from findings.v1
// and decisions.outcomes.v1 by the process that serves the API. Bounded (api.history_size each, the
// oldest go first); older history is in Elasticsearch (docs/indexing.md). A caller may wait for a
// decision's outcome (an operator's decision, printed with what became of it).
import type { Decision, Finding, Severity } from '../core/records';

export interface FindingFilter {
  /** epoch ms: findings whose @timestamp is at or after it */
  since?: number;
  ip?: string;
  account?: string;
  detector?: string;
  /** this severity or higher */
  severity?: Severity;
  limit?: number;
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** decisions remembered per finding (a finding rarely has more than one or two) */
const PER_FINDING = 16;

export class History {
  private readonly findings = new Map<string, Finding>();
  private readonly decisions = new Map<string, Decision>();
  private readonly byFinding = new Map<string, string[]>();
  private readonly waiters = new Map<string, Array<(d: Decision) => void>>();

  constructor(private readonly size: number) {}

  finding(f: Finding): void {
    const id = f.event.id;
    this.findings.delete(id);
    this.findings.set(id, f);
    if (this.findings.size > this.size) {
      const oldest = this.findings.keys().next().value as string;
      this.findings.delete(oldest);
      this.byFinding.delete(oldest);
    }
  }

  /** A decision with its outcome; a later outcome of the same decision (a retry) replaces the earlier. */
  decision(d: Decision): void {
    this.decisions.delete(d.id);
    this.decisions.set(d.id, d);
    if (this.decisions.size > this.size) this.decisions.delete(this.decisions.keys().next().value as string);
    for (const f of d.finding_ids) {
      const list = this.byFinding.get(f) ?? [];
      if (!list.includes(d.id)) list.push(d.id);
      this.byFinding.set(f, list.slice(-PER_FINDING));
    }
    const waiting = this.waiters.get(d.id);
    if (waiting && d.outcome) {
      this.waiters.delete(d.id);
      for (const w of waiting) w(d);
    }
  }

  /** Newest first. */
  findingList(q: FindingFilter = {}): Finding[] {
    const min = q.severity ? RANK[q.severity] : 0;
    const out: Finding[] = [];
    for (const f of [...this.findings.values()].reverse()) {
      if (q.since !== undefined && Date.parse(f['@timestamp']) < q.since) continue;
      if (q.detector && f.rule.id !== q.detector) continue;
      if (RANK[f.severity] < min) continue;
      if (q.ip && !((f.key.type === 'ip' || f.key.type === 'cidr') && f.key.value === q.ip)) continue;
      if (q.account && !(f.key.type === 'account' && f.key.value === q.account)) continue;
      out.push(f);
      if (q.limit && out.length >= q.limit) break;
    }
    return out;
  }

  findingById(id: string): Finding | undefined {
    return this.findings.get(id);
  }

  decisionsOf(findingId: string): Decision[] {
    return (this.byFinding.get(findingId) ?? []).map((id) => this.decisions.get(id)).filter((d): d is Decision => d !== undefined);
  }

  /** Newest first; `target` matches the target's value (an address, a range, an account name). */
  decisionList(q: { target?: string; since?: number; limit?: number } = {}): Decision[] {
    const out: Decision[] = [];
    for (const d of [...this.decisions.values()].reverse()) {
      if (q.since !== undefined && Date.parse(d['@timestamp']) < q.since) continue;
      if (q.target && d.target.value !== q.target) continue;
      out.push(d);
      if (q.limit && out.length >= q.limit) break;
    }
    return out;
  }

  decisionById(id: string): Decision | undefined {
    return this.decisions.get(id);
  }

  /** The decision once its outcome is known, or undefined after `ms` (the enforcer has not said yet). */
  waitForOutcome(id: string, ms: number): Promise<Decision | undefined> {
    const known = this.decisions.get(id);
    if (known?.outcome) return Promise.resolve(known);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      const timer = setTimeout(() => {
        const l = this.waiters.get(id)?.filter((w) => w !== done);
        if (l?.length) this.waiters.set(id, l);
        else this.waiters.delete(id);
        resolve(undefined);
      }, ms);
      const done = (d: Decision) => {
        clearTimeout(timer);
        resolve(d);
      };
      list.push(done);
      this.waiters.set(id, list);
    });
  }

  get counts(): { findings: number; decisions: number; capacity: number } {
    return { findings: this.findings.size, decisions: this.decisions.size, capacity: this.size };
  }
}
