// The output of `callsentry replay` and `start`: one line per finding and decision, either for
// people or (--json) one JSON object per line. The JSON form is a stable interface (README).
// The human form keeps its hand-written padding rather than a table library (cli-table3 serves the
// operator's lists, commands/columns.ts): it is a stream, one line printed as each finding or
// decision arrives, so no table of rows exists to measure. The detector column is instead as wide
// as the longest detector id there is, so every line's columns start at the same place.
import { printable } from '../core/printable';
import type { Decision, Finding, OutcomeResult } from '../core/records';
import { DETECTORS } from '../detectors/registry';

const DETECTOR_WIDTH = Math.max(...DETECTORS.map((d) => d.id.length));

export interface FindingLine {
  kind: 'finding';
  detector: string;
  '@timestamp': string;
  id: string;
  key: Finding['key'];
  severity: Finding['severity'];
  reason: string;
  counts: Finding['counts'];
  source_proven: boolean;
  source_established: boolean;
  labels: Finding['labels'];
  remediation: Finding['remediation'];
  first_seen: string;
  /** what the detector saw (a bounded sample per set: users tried, numbers dialled); absent when it quotes nothing */
  observed?: Record<string, string[]>;
}

export interface DecisionLine {
  kind: 'decision';
  detector: string;
  '@timestamp': string;
  id: string;
  target: Decision['target'];
  action: Decision['action'];
  mode: Decision['mode'];
  scope: Decision['scope'];
  ttl_seconds: number;
  reason: string;
  finding_ids: string[];
  /**
   * What the enforcer made of it (null: not known, for a decision read before its outcome): its
   * result, the word printed (dry-run, applied, refused(allowlist) ...), the guardrail that refused
   * or changed it and why, and the action and ttl actually applied, with the expiry.
   */
  outcome: OutcomeResult | null;
  status: string;
  guardrail: string | null;
  outcome_reason: string | null;
  action_applied: Decision['action'];
  ttl_applied_seconds: number | null;
  expires_at: string | null;
  /** a repeat offender's offense count (2: its second block within the memory) */
  offense: number | null;
  /** operator decisions: who asked, why, ticket */
  operator: Decision['operator'] | null;
}

export function findingLine(f: Finding): FindingLine {
  return {
    kind: 'finding',
    detector: f.rule.id,
    '@timestamp': f['@timestamp'],
    id: f.event.id,
    key: f.key,
    severity: f.severity,
    reason: f.rule.description ?? f.rule.name,
    counts: f.counts,
    source_proven: f.source_proven ?? false,
    source_established: f.source_established ?? false,
    labels: f.labels,
    remediation: f.remediation,
    first_seen: f.first_seen,
    ...(f.evidence.observed ? { observed: f.evidence.observed } : {}),
  };
}

export function decisionLine(d: Decision): DecisionLine {
  const o = d.outcome;
  return {
    kind: 'decision',
    detector: d.origin.id,
    '@timestamp': d['@timestamp'],
    id: d.id,
    target: d.target,
    action: d.action,
    mode: d.mode,
    scope: d.scope,
    ttl_seconds: d.ttl_seconds,
    reason: d.reason,
    finding_ids: d.finding_ids,
    outcome: o?.result ?? null,
    status: statusOf(d),
    guardrail: o?.guardrail ?? null,
    outcome_reason: o?.reason ?? null,
    action_applied: o?.action_applied ?? d.action,
    ttl_applied_seconds: o ? (o.ttl_applied_seconds ?? null) : null,
    expires_at: o?.expires_at ?? null,
    offense: o?.offense ?? null,
    operator: d.operator ?? null,
  };
}

/**
 * The decision's outcome in one word, as printed: dry-run (applied to the dry-run twins), applied,
 * renewed, removed, refused(GUARDRAIL), alert-only(circuit-breaker), failed, noop. Without an
 * outcome, the mode alone (what was decided, not what happened).
 */
export function statusOf(d: Decision): string {
  const o = d.outcome;
  if (!o) return d.mode;
  const dry = d.mode === 'dry-run';
  switch (o.result) {
    case 'applied':
      return dry ? 'dry-run' : 'applied';
    case 'renewed':
    case 'removed':
      return dry ? `dry-run(${o.result})` : o.result;
    case 'refused':
    case 'alert-only':
      return `${o.result}(${o.guardrail ?? 'unknown'})`;
    case 'noop':
      // an alert-only decision changes nothing by design: that is not news
      return d.action === 'alert-only' ? d.mode : 'noop';
    default:
      return o.result;
  }
}

/** Values shown per set on a human line, and characters per value; --json carries the whole sample. */
const SHOWN_VALUES = 5;
const SHOWN_LENGTH = 40;

/**
 * `  users=101,202,303 (+17)`: a few values of each set the finding quotes, escaped; the number in
 * brackets is how many more it counted (its count of the same name) or quoted.
 */
function observedText(line: FindingLine): string {
  let out = '';
  for (const [name, values] of Object.entries(line.observed ?? {})) {
    if (!Array.isArray(values) || values.length === 0) continue;
    const shown = values.slice(0, SHOWN_VALUES).map((v) => {
      const s = printable(v);
      return s.length > SHOWN_LENGTH ? `${s.slice(0, SHOWN_LENGTH - 1)}…` : s;
    });
    const counted = line.counts?.[name];
    const total = typeof counted === 'number' && counted > values.length ? Math.round(counted) : values.length;
    const more = total - shown.length;
    out += `  ${printable(name)}=${shown.join(',')}${more > 0 ? ` (+${more})` : ''}`;
  }
  return out;
}

export function humanLine(line: FindingLine | DecisionLine): string {
  // every value may carry text from the network: one line of inert text each (--json is exact)
  const p = printable;
  if (line.kind === 'finding') {
    return `${p(line['@timestamp'])}  FINDING   ${p(line.severity).padEnd(8)} ${p(line.detector).padEnd(DETECTOR_WIDTH)}  ${p(line.key.type)}=${p(line.key.value)}  ${p(line.reason)}${observedText(line)}`;
  }
  return `${p(line['@timestamp'])}  DECISION  ${p(line.status).padEnd(8)} ${p(line.detector).padEnd(DETECTOR_WIDTH)}  ${p(line.action_applied)} ${p(line.target.type)}=${p(line.target.value)} at ${p(line.scope)}${p(decisionTail(line))}`;
}

/** The ttl actually applied and what changed the decision, or why nothing was applied. */
function decisionTail(l: DecisionLine): string {
  if (l.outcome === null) return l.ttl_seconds ? ` for ${l.ttl_seconds}s` : '';
  if (l.outcome === 'refused' || l.outcome === 'alert-only' || l.outcome === 'noop' || l.outcome === 'failed') {
    if (l.outcome === 'noop' && l.action === 'alert-only') return '';
    return `, not applied${l.outcome_reason ? `: ${l.outcome_reason}` : ''}`;
  }
  const ttl = l.ttl_applied_seconds ? ` for ${l.ttl_applied_seconds}s` : '';
  const why: string[] = [];
  if (l.action_applied !== l.action) why.push(`${l.action} turned ${l.action_applied} by guardrail ${l.guardrail ?? 'unknown'}`);
  if (l.offense !== null && l.offense > 1) why.push(`repeat offender x${l.offense}, ${l.ttl_seconds}s requested`);
  if (l.operator) why.push(`operator ${l.operator.who}, ${l.operator.ticket}`);
  return `${ttl}${why.length ? ` (${why.join('; ')})` : ''}`;
}
