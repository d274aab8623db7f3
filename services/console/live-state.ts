// What the console knows right now, built from the bus: recent findings and decisions (as the
// printer renders them, with their outcomes, from decisions.outcomes.v1), acknowledgements and
// operator actions from the audit trail, each action with its result once the enforcer has one
// (the request's audit row is sent again, same id, with `result` and `outcome` filled in), the flow
// ring and the chart series. Listeners (the server-sent event streams) hear every change. Bounded.
import type { AuditEvent, Decision, Finding, SipFlow } from '../core/records';
import { decisionLine, findingLine, statusOf, type DecisionLine, type FindingLine } from '../printer/format';
import { FlowRing } from './flow-ring';
import { Series } from './series';

export interface Ack {
  finding_id: string;
  who: string;
  why: string;
  ticket: string;
  at: string;
}

export type LiveEvent = { type: 'finding'; data: FindingLine } | { type: 'decision'; data: DecisionLine } | { type: 'ack'; data: Ack } | { type: 'audit'; data: AuditEvent };

const RECENT = 500;
const AUDIT = 200;

export class LiveState {
  readonly flows: FlowRing;
  /** flows per 10 s over 10 minutes */
  readonly flowRate = new Series(10_000, 60);
  /** findings per minute and family over an hour */
  readonly findingsByFamily = new Series(60_000, 60);
  private readonly findings: FindingLine[] = [];
  private readonly findingIndex = new Map<string, FindingLine>();
  private readonly decisions: DecisionLine[] = [];
  private readonly decisionIds = new Set<string>();
  private readonly acks = new Map<string, Ack>();
  private readonly audit: AuditEvent[] = [];
  /** the enforcer's results by what they are about (`decision:ID`, `allowlist:CIDR`), for requests not seen yet */
  private readonly results = new Map<string, { result: string; outcome: string }>();
  private readonly listeners = new Set<(e: LiveEvent) => void>();

  constructor(flowBuffer: number, private readonly now: () => number) {
    this.flows = new FlowRing(flowBuffer);
  }

  listen(fn: (e: LiveEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  flow(f: SipFlow): void {
    this.flows.add(f);
    this.flowRate.add(this.now(), 'flows');
  }

  finding(f: Finding): void {
    const line = findingLine(f);
    if (this.findingIndex.has(line.id)) return; // a re-delivery
    push(this.findings, line, RECENT);
    this.findingIndex.set(line.id, line);
    if (this.findingIndex.size > RECENT * 10) this.findingIndex.delete(this.findingIndex.keys().next().value as string);
    this.findingsByFamily.add(this.now(), f.rule.category || line.detector.split('/')[0]);
    this.emit({ type: 'finding', data: line });
  }

  decision(d: Decision): void {
    if (d.outcome && d.origin.type === 'operator') {
      const why = d.outcome.reason ? `: ${d.outcome.reason}` : '';
      this.result(`decision:${d.id}`, { result: `${statusOf(d)}${why}`, outcome: d.outcome.result });
    }
    if (this.decisionIds.has(d.id)) return;
    this.decisionIds.add(d.id);
    if (this.decisionIds.size > RECENT * 10) this.decisionIds.delete(this.decisionIds.values().next().value as string);
    const line = decisionLine(d);
    push(this.decisions, line, RECENT);
    this.emit({ type: 'decision', data: line });
  }

  /** Acknowledgements and operator requests are what the console shows of the audit trail. */
  auditEvent(e: AuditEvent): void {
    // the enforcer's word on an operator's allowlist change
    if (e.actor.type === 'enforcer' && e.ref?.kind === 'allowlist') this.result(`allowlist:${e.ref.id}`, { result: e.result, outcome: e.outcome ?? e.result });
    if (e.actor.type !== 'operator') return;
    if (this.audit.some((x) => x.id === e.id)) return;
    const known = e.outcome === 'requested' && e.ref ? this.results.get(`${e.ref.kind}:${e.ref.id}`) : undefined;
    if (known) e = { ...e, ...known };
    push(this.audit, e, AUDIT);
    this.emit({ type: 'audit', data: e });
    if (e.ref?.kind === 'finding' && e.outcome === 'acknowledged') {
      const ack: Ack = { finding_id: e.ref.id, who: e.actor.id, why: e.why, ticket: e.ticket ?? '', at: e['@timestamp'] };
      this.acks.set(ack.finding_id, ack);
      if (this.acks.size > RECENT * 10) this.acks.delete(this.acks.keys().next().value as string);
      this.emit({ type: 'ack', data: ack });
    }
  }

  /** An operator request's result: the pending row (the latest for that ref) is updated and sent again. */
  private result(ref: string, r: { result: string; outcome: string }): void {
    this.results.set(ref, r);
    if (this.results.size > RECENT * 10) this.results.delete(this.results.keys().next().value as string);
    for (let i = this.audit.length - 1; i >= 0; i--) {
      const e = this.audit[i];
      if (e.outcome !== 'requested' || !e.ref || `${e.ref.kind}:${e.ref.id}` !== ref) continue;
      this.audit[i] = { ...e, ...r };
      this.emit({ type: 'audit', data: this.audit[i] });
      return;
    }
  }

  findingById(id: string): FindingLine | undefined {
    return this.findingIndex.get(id);
  }

  snapshot(): { findings: FindingLine[]; decisions: DecisionLine[]; acks: Ack[]; audit: AuditEvent[]; flows: { held: number; capacity: number; seen: number } } {
    return {
      findings: [...this.findings],
      decisions: [...this.decisions],
      acks: [...this.acks.values()],
      audit: [...this.audit],
      flows: { held: this.flows.size, capacity: this.flows.capacity, seen: this.flows.total },
    };
  }

  private emit(e: LiveEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.shift();
}
