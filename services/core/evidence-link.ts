// Which evidence records belong to a finding. A finding names sample SIP flows (record_ids) and a
// key; evidence records name the flow each message belongs to (sip.flow_id) and the keys their
// call was sampled for (evidence.keys). The calls of a finding are, first, those of its sample
// flows, then the calls sampled for its key during its window; every message of a chosen call is
// evidence (the responses too), so each call can be drawn as a ladder.
import { cidrContains, parseCidr } from './cidr';
import type { Finding, SipEvidence } from './records';

export interface FindingEvidence {
  /** call ids in the order chosen: the finding's own sample flows first */
  calls: string[];
  /** every record of those calls, in time order */
  records: SipEvidence[];
}

/** Records sampled this long before the finding's first evidence still count (the key's first calls). */
const SLACK_MS = 60_000;

export function evidenceKey(f: Pick<Finding, 'key'>): string {
  return `${f.key.type}:${f.key.value}`;
}

export function linkEvidence(f: Pick<Finding, 'key' | 'evidence' | 'first_seen' | 'last_seen'>, records: Iterable<SipEvidence>, maxCalls = 10): FindingEvidence {
  const flows = new Set(f.evidence.record_ids);
  const from = Date.parse(f.first_seen) - SLACK_MS;
  const to = Date.parse(f.last_seen) + SLACK_MS;
  const matchesKey = keyMatcher(f);
  const own: string[] = [];
  const byKey: Array<[number, string]> = [];
  const all: SipEvidence[] = [];
  for (const r of records) {
    all.push(r);
    if (flows.has(r.sip.flow_id)) own.push(r.sip.call_id);
    else {
      const t = Date.parse(r['@timestamp']);
      if (t >= from && t <= to && r.evidence.keys.some(matchesKey)) byKey.push([t, r.sip.call_id]);
    }
  }
  byKey.sort((a, b) => a[0] - b[0]);
  const calls = [...new Set([...own, ...byKey.map(([, c]) => c)])].slice(0, maxCalls);
  const chosen = new Set(calls);
  const picked = all.filter((r) => chosen.has(r.sip.call_id)).sort((a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']));
  return { calls, records: picked };
}

function keyMatcher(f: Pick<Finding, 'key'>): (k: string) => boolean {
  if (f.key.type !== 'cidr') {
    const wanted = evidenceKey(f);
    return (k) => k === wanted;
  }
  let cidr: ReturnType<typeof parseCidr> | undefined;
  try {
    cidr = parseCidr(f.key.value);
  } catch {
    return () => false;
  }
  return (k) => k.startsWith('ip:') && cidrContains(cidr!, k.slice(3));
}
