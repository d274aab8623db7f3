// Scores a replay against ground truth: per labelled attack, whether it was detected, by which
// detector, with which key, how long after its start; findings that match no attack (false
// positives); and block decisions against addresses that must never be blocked. Pure.
import { CidrSet } from '../core/cidr';
import type { Decision, Finding } from '../core/records';
import type { Labels, LabelledEvent } from './labels';

export { KIND_DETECTORS } from './families';

/** How long after an attack's end a finding still belongs to it (windows trail the traffic). */
const TRAIL_MS = 60_000;

export interface EventScore {
  id: string;
  kind: string;
  family: string;
  detected: boolean;
  /** the first finding of a detector of the right kind, with the right key; category: its detector's family */
  first?: { detector: string; category: string; key: string; latencySeconds: number };
  detectors: string[];
  blocked: string[];
  expectBlock: boolean;
}

export interface Score {
  events: EventScore[];
  /** findings that belong to no labelled attack */
  unmatchedFindings: Finding[];
  /** block decisions against addresses that must never be blocked */
  forbiddenBlocks: Array<{ decision: Decision; why: string }>;
}

function keyMatches(e: LabelledEvent, f: Finding, sources: CidrSet): boolean {
  if (e.keys) return e.keys.some((k) => f.key.type === k.type && f.key.value === k.value);
  return belongs(e, f, sources);
}

function belongs(e: LabelledEvent, f: Finding, sources: CidrSet): boolean {
  if (f.key.type === 'account') return e.account !== undefined && f.key.value === e.account;
  // a network's finding covers the attack whose sources lie in it
  if (f.key.type === 'cidr') {
    const network = new CidrSet([f.key.value]);
    if (e.sources.some((ip) => network.match(ip.split('/')[0]) !== undefined)) return true;
  }
  return sources.match(f.key.value.split('/')[0]) !== undefined;
}

function inTime(e: LabelledEvent, tMs: number): boolean {
  return tMs >= e.startMs - 1000 && tMs <= e.endMs + TRAIL_MS;
}

export function score(labels: Labels, findings: Finding[], decisions: Decision[]): Score {
  const sourcesOf = new Map(labels.events.map((e) => [e.id, new CidrSet(e.sources)]));
  const matched = new Set<string>();
  const events = labels.events.map((e): EventScore => {
    const mine = findings.filter((f) => keyMatches(e, f, sourcesOf.get(e.id)!) && inTime(e, Date.parse(f['@timestamp'])));
    for (const f of mine) matched.add(f.event.id);
    // a finding on one of the attack's sources (or its account) belongs to it too, though it is not
    // the key the label asks for (a rotating attack's addresses, each seen on its own)
    if (e.keys) for (const f of findings) if (belongs(e, f, sourcesOf.get(e.id)!) && inTime(e, Date.parse(f['@timestamp']))) matched.add(f.event.id);
    const right = mine.filter((f) => e.detectors.includes(f.rule.id)).sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
    const first = right[0];
    const blocked = decisions.filter((d) => d.action === 'block' && mine.some((f) => d.finding_ids.includes(f.event.id))).map((d) => d.target.value);
    return {
      id: e.id,
      kind: e.kind,
      family: e.family,
      detected: first !== undefined,
      ...(first ? { first: { detector: first.rule.id, category: first.rule.category, key: `${first.key.type}=${first.key.value}`, latencySeconds: (Date.parse(first['@timestamp']) - e.startMs) / 1000 } } : {}),
      detectors: [...new Set(mine.map((f) => f.rule.id))].sort(),
      blocked: [...new Set(blocked)].sort(),
      expectBlock: e.expectBlock,
    };
  });
  const protectedSet = labels.neverBlock.map((p) => ({ ...p, set: new CidrSet([p.address]) }));
  const forbiddenBlocks = decisions
    .filter((d) => d.action === 'block' && d.target.type !== 'account')
    .flatMap((d) => {
      const hit = protectedSet.find((p) => p.set.match(d.target.value.split('/')[0]));
      return hit ? [{ decision: d, why: hit.why }] : [];
    });
  return { events, unmatchedFindings: findings.filter((f) => !matched.has(f.event.id)), forbiddenBlocks };
}
