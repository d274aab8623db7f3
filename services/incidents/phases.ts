// Kill-chain phases of findings: where in an attack a finding stands, from its behaviour label
// (falling back on the rule's category). Pure; docs/incidents.md has the table.
import type { Finding, IncidentPhase, Severity } from '../core/records';

/** kill-chain order: the timeline and an incident's phases are sorted by it */
export const PHASES: readonly IncidentPhase[] = ['scan', 'enumeration', 'brute-force', 'compromise', 'fraud', 'flood', 'policy'];

const BY_BEHAVIOR: Readonly<Record<string, IncidentPhase>> = {
  'sip:scan': 'scan',
  'sip:enumeration': 'enumeration',
  'sip:bruteforce': 'brute-force',
  'conference:pin-bruteforce': 'brute-force',
  'sip:account-takeover': 'compromise',
  'sip:trunk-spoofing': 'compromise',
  'conference:locked-join': 'compromise',
  'relay:internal-peer': 'compromise',
  'sip:flood': 'flood',
  'sip:malformed': 'flood',
  'relay:bandwidth-abuse': 'flood',
};

const BY_CATEGORY: Readonly<Record<string, IncidentPhase>> = { recon: 'scan', credential: 'brute-force', fraud: 'fraud', dos: 'flood', policy: 'policy', relay: 'flood' };

export function phaseOf(f: Pick<Finding, 'labels' | 'rule'>): IncidentPhase {
  const behavior = f.labels?.behavior ?? '';
  const known = BY_BEHAVIOR[behavior];
  if (known) return known;
  if (behavior.startsWith('fraud:')) return 'fraud';
  if (behavior.startsWith('policy:')) return 'policy';
  return BY_CATEGORY[f.rule?.category] ?? 'flood';
}

export const phaseRank = (p: IncidentPhase): number => PHASES.indexOf(p);

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
export const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank(b) > severityRank(a) ? b : a);
