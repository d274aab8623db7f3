// The evidence this console has seen (evidence.sip.v1), and what it needs of each finding to link
// them (key, sample flows, window): bounded, the oldest records and findings go first. The ladder
// of a finding is drawn from what `forFinding` returns.
import { linkEvidence, type FindingEvidence } from '../core/evidence-link';
import type { Finding, SipEvidence } from '../core/records';

type FindingRef = Pick<Finding, 'key' | 'evidence' | 'first_seen' | 'last_seen'> & { observed?: Record<string, string[]> };

export class EvidenceStore {
  private readonly records = new Map<string, SipEvidence>();
  private readonly findings = new Map<string, FindingRef>();

  constructor(private readonly maxRecords = 20_000, private readonly maxFindings = 5_000) {}

  get size(): number {
    return this.records.size;
  }

  add(r: SipEvidence): void {
    if (this.records.has(r.event.id)) return;
    this.records.set(r.event.id, r);
    if (this.records.size > this.maxRecords) this.records.delete(this.records.keys().next().value as string);
  }

  finding(f: Finding): void {
    if (this.findings.has(f.event.id)) return;
    this.findings.set(f.event.id, { key: f.key, evidence: f.evidence, first_seen: f.first_seen, last_seen: f.last_seen });
    if (this.findings.size > this.maxFindings) this.findings.delete(this.findings.keys().next().value as string);
  }

  /** undefined: this console has not seen the finding */
  forFinding(id: string, maxCalls = 5): (FindingEvidence & { observed: Record<string, string[]> }) | undefined {
    const f = this.findings.get(id);
    if (!f) return undefined;
    return { ...linkEvidence(f, this.records.values(), maxCalls), observed: f.evidence.observed ?? {} };
  }
}
