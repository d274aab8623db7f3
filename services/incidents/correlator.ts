// Findings into incidents: keys that one finding names together (its own key, and the sources,
// accounts and numbers of its evidence sets listed in incidents.link_sets) join one incident while
// it is open, that is while its last finding is less than the gap old. An index from key to
// incident holds the links; a finding that links two incidents merges them, the smaller's keys
// re-pointed to the larger (union by size). Event time throughout: the watermark is the newest
// finding's last_seen, so a replay correlates as the live traffic did. Memory is bounded: closed
// incidents give up their keys, and at most max_open incidents (closed ones first) are held.
// Pure: no I/O; every method returns the incidents it changed, to be written as new versions.
import { stableId } from '../core/ids';
import type { IncidentSettings } from '../core/config';
import type { AuditEvent, Decision, Finding, Incident, IncidentAction, IncidentChange, IncidentKey, IncidentNote } from '../core/records';
import { partitionNetwork } from '../core/source-network';
import { maxSeverity, phaseOf, phaseRank, PHASES } from './phases';

const MAX_NOTES = 100;
const MAX_DECISIONS = 200;
/** finding ids an incident remembers to count a re-delivered finding once (the most recent) */
const MAX_FINDING_IDS = 10_000;
/** outcomes that arrived before their decision, kept until it comes */
const MAX_PENDING_OUTCOMES = 10_000;
/**
 * A spray: this many incidents, each of one unproven finding of one detector on an address of one
 * network (/24, /48) and linked to nothing, become one incident, and later such findings join it. A
 * flood with forged sources otherwise opens an incident per forged address.
 */
const SPRAY_MIN = 5;

interface State {
  incident: Incident;
  lastSeenMs: number;
  findingIds: Set<string>;
  keys: Set<string>;
  /** operator actions applied, so a re-delivered one is applied once */
  actionIds: Set<string>;
  /** what changed since the last version written */
  changes: Set<IncidentChange>;
}

export type CorrelatorSettings = Pick<IncidentSettings, 'gap_seconds' | 'max_open' | 'max_keys' | 'max_timeline' | 'link_sets' | 'max_links_per_set'>;

export const keyText = (k: IncidentKey): string => `${k.type}:${k.value}`;

export class Correlator {
  private readonly held = new Map<string, State>();
  /** key -> the open incident holding it */
  private readonly byKey = new Map<string, string>();
  /** finding id / decision id -> incident id, for decisions and their outcomes */
  private readonly byFinding = new Map<string, string>();
  private readonly byDecision = new Map<string, string>();
  private readonly pendingOutcomes = new Map<string, AuditEvent>();
  /** ids of the closed incidents held, in the order they closed */
  private readonly closedOrder = new Set<string>();
  private watermark = -Infinity;
  /** detector and network -> lone incidents that may become a spray, and the spray's incident */
  private readonly lone = new Map<string, string[]>();
  private readonly sprays = new Map<string, string>();

  constructor(private readonly s: CorrelatorSettings) {}

  get size(): number {
    return this.held.size;
  }

  get(id: string): Incident | undefined {
    return this.held.get(id)?.incident;
  }

  /** The keys a finding links: its own, then its evidence's link-set values. */
  linkedKeys(f: Finding): IncidentKey[] {
    const keys: IncidentKey[] = [{ type: f.key.type, value: f.key.value }];
    const observed = f.evidence?.observed ?? {};
    for (const type of ['ip', 'account', 'number'] as const) {
      for (const set of this.s.link_sets[type]) {
        const values = observed[set];
        if (!Array.isArray(values) || values.length === 0 || values.length > this.s.max_links_per_set) continue;
        for (const v of values) if (typeof v === 'string' && v.length > 0 && v.length <= 256) keys.push({ type, value: v });
      }
    }
    const seen = new Set<string>();
    return keys.filter((k) => !seen.has(keyText(k)) && seen.add(keyText(k)));
  }

  finding(f: Finding): Incident[] {
    const t = Date.parse(f.last_seen);
    if (!Number.isFinite(t)) return [];
    const changed = new Map<string, State>();
    this.advance(t, changed);
    const keys = this.linkedKeys(f);
    let spray: string | undefined;
    const owners = [...new Set(keys.map((k) => this.byKey.get(keyText(k))).filter((id): id is string => id !== undefined))].map((id) => this.held.get(id)!);
    let st: State;
    if (owners.length === 0) {
      const known = this.byFinding.get(f.event.id);
      if (known && this.held.has(known)) return []; // a re-delivered finding of a closed incident
      spray = sprayOf(f);
      const joined = spray === undefined ? undefined : this.held.get(this.sprays.get(spray) ?? '');
      if (joined && !joined.incident.closed) {
        st = joined;
        spray = undefined;
      } else st = this.open(f);
    } else {
      owners.sort((a, b) => b.keys.size - a.keys.size || Date.parse(a.incident.first_seen) - Date.parse(b.incident.first_seen));
      st = owners[0];
      for (const other of owners.slice(1)) this.merge(st, other, t, changed);
    }
    if (st.findingIds.has(f.event.id)) return [...changed.values()].map((c) => this.version(c, t));
    for (const k of keys) this.addKey(st, k);
    this.addFinding(st, f, t);
    if (spray !== undefined) this.noteLone(spray, st, t, changed);
    if (st.incident.status === 'resolved') {
      st.incident.status = 'open';
      st.changes.add('status');
      st.incident.notes = [...st.incident.notes, note(t, 'callsentry', '-', `reopened: new finding ${f.rule.id} on ${f.key.type} ${f.key.value}`)].slice(-MAX_NOTES);
    }
    changed.set(st.incident.id, st);
    // held in order of their latest finding: the longest quiet first, for eviction
    this.held.delete(st.incident.id);
    this.held.set(st.incident.id, st);
    this.bound(changed);
    return [...changed.values()].map((c) => this.version(c, t));
  }

  decision(d: Decision): Incident[] {
    const id = d.finding_ids.map((f) => this.byFinding.get(f)).find((x) => x !== undefined && this.held.has(x));
    if (!id) return [];
    const st = this.held.get(id)!;
    if (st.incident.decisions.some((x) => x.id === d.id)) return [];
    st.incident.decisions.push({ id: d.id, '@timestamp': d['@timestamp'], action: d.action, target: d.target, mode: d.mode, ttl_seconds: d.ttl_seconds });
    for (const old of st.incident.decisions.splice(0, Math.max(0, st.incident.decisions.length - MAX_DECISIONS))) this.byDecision.delete(old.id);
    this.byDecision.set(d.id, id);
    st.changes.add('decision');
    const early = this.pendingOutcomes.get(d.id);
    if (early) {
      this.pendingOutcomes.delete(d.id);
      this.outcomeOn(st, early);
    }
    return [this.version(st, Date.parse(d['@timestamp']))];
  }

  /** An enforcer's (or guardrail's) audit event about a decision: its outcome goes on the incident. */
  audit(e: AuditEvent): Incident[] {
    if (e.ref?.kind !== 'decision' || !e.outcome || e.outcome === 'requested') return [];
    const id = this.byDecision.get(e.ref.id);
    const st = id ? this.held.get(id) : undefined;
    if (!st) {
      if (this.pendingOutcomes.size >= MAX_PENDING_OUTCOMES) this.pendingOutcomes.delete(this.pendingOutcomes.keys().next().value!);
      this.pendingOutcomes.set(e.ref.id, e);
      return [];
    }
    return this.outcomeOn(st, e) ? [this.version(st, Date.parse(e['@timestamp']))] : [];
  }

  /** An operator's change. `restored`: the incident's latest version, when it is no longer held. */
  action(a: IncidentAction, restored?: Incident): Incident[] {
    let st = this.held.get(a.incident_id);
    if (!st && restored) st = this.restore(restored);
    if (!st) return [];
    const inc = st.incident;
    if (st.actionIds.has(a.id)) return [];
    st.actionIds.add(a.id);
    const t = Date.parse(a['@timestamp']);
    st.changes.add(a.action === 'assign' ? 'assigned' : a.action === 'note' ? 'note' : 'status');
    if (a.action === 'ack') inc.status = 'acknowledged';
    else if (a.action === 'resolve') inc.status = 'resolved';
    else if (a.action === 'reopen') inc.status = 'open';
    else if (a.action === 'assign') {
      if (a.assignee) inc.assignee = a.assignee;
      else delete inc.assignee;
    }
    const what = a.action === 'assign' ? `assign to ${a.assignee || 'nobody'}` : a.action;
    const text = a.action === 'note' ? `note: ${a.text ?? ''}` : `${what}: ${a.text ?? a.operator.why}`;
    inc.notes = [...inc.notes, note(t, a.operator.who, a.operator.ticket, text)].slice(-MAX_NOTES);
    return [this.version(st, t)];
  }

  /** Closes the incidents quiet for longer than the gap, as of event time `t`. */
  expire(t: number): Incident[] {
    const changed = new Map<string, State>();
    this.advance(t, changed);
    return [...changed.values()].map((c) => this.version(c, this.watermark));
  }

  private advance(t: number, changed: Map<string, State>): void {
    if (t <= this.watermark) return;
    this.watermark = t;
    const gapMs = this.s.gap_seconds * 1000;
    for (const st of this.held.values()) if (!st.incident.closed && t - st.lastSeenMs > gapMs) this.close(st, changed);
  }

  /** A lone incident of a possible spray; at SPRAY_MIN of them they merge into the newest. */
  private noteLone(spray: string, st: State, t: number, changed: Map<string, State>): void {
    const lone = (this.lone.get(spray) ?? []).filter((id) => {
      const o = this.held.get(id);
      return o !== undefined && o !== st && !o.incident.closed && o.findingIds.size === 1;
    });
    lone.push(st.incident.id);
    this.lone.delete(spray);
    if (lone.length < SPRAY_MIN) {
      this.lone.set(spray, lone);
      if (this.lone.size > this.s.max_open) this.lone.delete(this.lone.keys().next().value!);
      return;
    }
    for (const id of lone) if (id !== st.incident.id) this.merge(st, this.held.get(id)!, t, changed);
    // the same network's own finding (sip/network-attack, keyed by the range) is the same attack
    const network = this.held.get(this.byKey.get(`cidr:${spray.slice(spray.indexOf(' ') + 1)}`) ?? '');
    if (network && network !== st && !network.incident.closed) this.merge(st, network, t, changed);
    this.sprays.set(spray, st.incident.id);
    if (this.sprays.size > this.s.max_open) this.sprays.delete(this.sprays.keys().next().value!);
  }

  private open(f: Finding): State {
    const id = stableId('incident', f.event.id);
    const incident: Incident = {
      '@timestamp': f.last_seen,
      event: { id, kind: 'event', dataset: 'callsentry.incident' },
      id,
      revision: 0,
      changes: [],
      title: '',
      status: 'open',
      severity: f.severity,
      phases: [],
      keys: [],
      first_seen: f.first_seen,
      last_seen: f.last_seen,
      timeline: [],
      finding_count: 0,
      decisions: [],
      notes: [],
      ...(f.organization ? { organization: f.organization } : {}),
    };
    const st: State = { incident, lastSeenMs: Date.parse(f.last_seen), findingIds: new Set(), keys: new Set(), actionIds: new Set(), changes: new Set<IncidentChange>() };
    st.changes.add('opened');
    this.held.set(id, st);
    return st;
  }

  private restore(inc: Incident): State {
    const st: State = { incident: structuredClone(inc), lastSeenMs: Date.parse(inc.last_seen), findingIds: new Set(inc.timeline.map((x) => x.id)), keys: new Set(), actionIds: new Set(), changes: new Set<IncidentChange>() };
    st.incident.closed = true;
    this.closedOrder.add(inc.id);
    this.held.set(inc.id, st);
    this.bound(new Map());
    return st;
  }

  private addKey(st: State, k: IncidentKey): void {
    const text = keyText(k);
    if (st.keys.has(text) || st.keys.size >= this.s.max_keys) return;
    st.keys.add(text);
    st.incident.keys.push(k);
    this.byKey.set(text, st.incident.id);
  }

  private addFinding(st: State, f: Finding, t: number): void {
    const inc = st.incident;
    st.findingIds.add(f.event.id);
    this.byFinding.set(f.event.id, inc.id);
    if (st.findingIds.size > MAX_FINDING_IDS) {
      const oldest = st.findingIds.values().next().value!;
      st.findingIds.delete(oldest);
      if (this.byFinding.get(oldest) === inc.id) this.byFinding.delete(oldest);
    }
    inc.finding_count++;
    st.changes.add('grew');
    if (maxSeverity(inc.severity, f.severity) !== inc.severity) st.changes.add('escalated');
    inc.severity = maxSeverity(inc.severity, f.severity);
    if (Date.parse(f.first_seen) < Date.parse(inc.first_seen)) inc.first_seen = f.first_seen;
    if (t > st.lastSeenMs) {
      st.lastSeenMs = t;
      inc.last_seen = f.last_seen;
    }
    const phase = phaseOf(f);
    if (!inc.phases.includes(phase)) st.changes.add('phase');
    if (!inc.phases.includes(phase)) inc.phases = PHASES.filter((p) => p === phase || inc.phases.includes(p));
    const entry = { id: f.event.id, phase, rule_id: f.rule.id, rule_name: f.rule.name, severity: f.severity, key: { type: f.key.type, value: f.key.value }, first_seen: f.first_seen, last_seen: f.last_seen, ...(f.rule.description ? { description: f.rule.description.slice(0, 2048) } : {}) };
    inc.timeline = [...inc.timeline, entry].sort((a, b) => phaseRank(a.phase) - phaseRank(b.phase) || Date.parse(a.first_seen) - Date.parse(b.first_seen)).slice(0, this.s.max_timeline);
  }

  private merge(into: State, from: State, t: number, changed: Map<string, State>): void {
    for (const k of from.incident.keys) this.addKey(into, k);
    for (const e of from.incident.timeline) {
      if (into.findingIds.has(e.id)) continue;
      into.findingIds.add(e.id);
      this.byFinding.set(e.id, into.incident.id);
      into.incident.timeline.push(e);
      if (!into.incident.phases.includes(e.phase)) into.incident.phases = PHASES.filter((p) => p === e.phase || into.incident.phases.includes(p));
    }
    into.incident.timeline.sort((a, b) => phaseRank(a.phase) - phaseRank(b.phase) || Date.parse(a.first_seen) - Date.parse(b.first_seen));
    into.incident.timeline = into.incident.timeline.slice(0, this.s.max_timeline);
    into.incident.finding_count += from.incident.finding_count;
    into.incident.severity = maxSeverity(into.incident.severity, from.incident.severity);
    for (const d of from.incident.decisions) {
      if (into.incident.decisions.some((x) => x.id === d.id)) continue;
      into.incident.decisions.push(d);
      this.byDecision.set(d.id, into.incident.id);
    }
    if (Date.parse(from.incident.first_seen) < Date.parse(into.incident.first_seen)) into.incident.first_seen = from.incident.first_seen;
    if (from.lastSeenMs > into.lastSeenMs) {
      into.lastSeenMs = from.lastSeenMs;
      into.incident.last_seen = from.incident.last_seen;
    }
    if (!into.incident.assignee && from.incident.assignee) into.incident.assignee = from.incident.assignee;
    into.incident.notes = [...into.incident.notes, ...from.incident.notes, note(t, 'callsentry', '-', `merged incident ${from.incident.id}: a finding linked their keys`)].slice(-MAX_NOTES);
    from.incident.notes = [...from.incident.notes, note(t, 'callsentry', '-', `merged into incident ${into.incident.id}`)].slice(-MAX_NOTES);
    into.changes.add('merged');
    from.changes.add('merged');
    this.close(from, changed);
    changed.set(into.incident.id, into);
  }

  private close(st: State, changed: Map<string, State>): void {
    st.incident.closed = true;
    st.changes.add('closed');
    this.closedOrder.add(st.incident.id);
    for (const k of st.keys) if (this.byKey.get(k) === st.incident.id) this.byKey.delete(k);
    st.keys.clear();
    changed.set(st.incident.id, st);
  }

  /** At most max_open incidents held: the longest-quiet closed ones leave first, then open ones close and leave. */
  private bound(changed: Map<string, State>): void {
    while (this.held.size > this.s.max_open) {
      // the closed one that closed first, else the open one quiet longest
      const closed = this.closedOrder.values().next().value;
      const victim = closed !== undefined ? this.held.get(closed) : this.held.values().next().value;
      if (!victim) return;
      if (!victim.incident.closed) this.close(victim, changed);
      this.forget(victim);
    }
  }

  private forget(st: State): void {
    this.held.delete(st.incident.id);
    this.closedOrder.delete(st.incident.id);
    for (const f of st.findingIds) if (this.byFinding.get(f) === st.incident.id) this.byFinding.delete(f);
    for (const d of st.incident.decisions) if (this.byDecision.get(d.id) === st.incident.id) this.byDecision.delete(d.id);
  }

  private outcomeOn(st: State, e: AuditEvent): boolean {
    const d = st.incident.decisions.find((x) => x.id === e.ref!.id);
    if (!d || (d.outcome === e.outcome && d.result === e.result)) return false;
    d.outcome = e.outcome!.slice(0, 256);
    d.result = e.result.slice(0, 2048);
    st.changes.add('outcome');
    return true;
  }

  private version(st: State, t: number): Incident {
    const inc = st.incident;
    inc.revision++;
    inc['@timestamp'] = new Date(Number.isFinite(t) ? Math.max(t, Date.parse(inc.last_seen)) : Date.parse(inc.last_seen)).toISOString();
    inc.title = titleOf(inc);
    inc.changes = [...st.changes];
    st.changes.clear();
    return structuredClone(inc);
  }
}

const note = (t: number, who: string, ticket: string, text: string): IncidentNote => ({ '@timestamp': new Date(t).toISOString(), who, ticket, text: text.slice(0, 2048) });

/** `198.18.0.67 (account 105): brute-force → compromise → fraud` */
export function titleOf(inc: Pick<Incident, 'keys' | 'phases'>): string {
  const ips = inc.keys.filter((k) => k.type === 'ip' || k.type === 'cidr').map((k) => k.value);
  const accounts = inc.keys.filter((k) => k.type === 'account').map((k) => k.value);
  const list = (xs: string[]) => (xs.length > 2 ? `${xs.slice(0, 2).join(', ')} +${xs.length - 2}` : xs.join(', '));
  const who = ips.length ? list(ips) : accounts.length ? `account ${list(accounts)}` : (inc.keys[0]?.value ?? 'unknown');
  const also = ips.length && accounts.length ? ` (account ${list(accounts)})` : '';
  return `${who}${also}: ${inc.phases.join(' → ')}`.slice(0, 256);
}

/** Detector and network of an unproven finding on an address nobody vouches for: a spray's members. */
function sprayOf(f: Finding): string | undefined {
  if (f.key.type !== 'ip' || f.source_proven === true || f.source_established === true) return undefined;
  try {
    return `${f.rule.id} ${partitionNetwork(f.key.value)}`;
  } catch {
    return undefined;
  }
}
