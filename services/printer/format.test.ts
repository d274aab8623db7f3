import { DETECTORS } from '../detectors/registry';
import type { Decision, DecisionOutcome } from '../core/records';
import { decisionLine, humanLine, type DecisionLine, type FindingLine } from './format';

const finding = (detector: string): FindingLine => ({
  kind: 'finding',
  detector,
  '@timestamp': '2026-03-01T00:00:00.000Z',
  id: 'f1',
  key: { type: 'ip', value: '203.0.113.50' },
  severity: 'high',
  reason: 'a reason',
  counts: {},
  source_proven: false,
  source_established: false,
  labels: { behavior: 'sip:flood' },
  remediation: 'alert-only',
  first_seen: '2026-03-01T00:00:00.000Z',
});

const record = (detector: string, outcome?: DecisionOutcome, over: Partial<Decision> = {}): Decision => ({
  '@timestamp': '2026-03-01T00:00:00.000Z',
  event: { id: 'd1', kind: 'event', dataset: 'callsentry.decision' },
  id: 'd1',
  target: { type: 'ip', value: '203.0.113.50' },
  action: 'block',
  mode: 'dry-run',
  scope: 'firewall',
  ttl_seconds: 300,
  reason: 'r',
  finding_ids: ['f1'],
  origin: { type: 'detector', id: detector },
  ...(outcome ? { outcome } : {}),
  ...over,
});
const decision = (detector: string): DecisionLine => decisionLine(record(detector, { result: 'applied', at: '2026-03-01T00:00:01.000Z', ttl_applied_seconds: 300 }));
const AT = '2026-03-01T00:00:01.000Z';

describe('human lines', () => {
  it('start the columns after the detector at the same place for every detector, the longest included', () => {
    const ids = DETECTORS.map((d) => d.id);
    const longest = ids.reduce((a, b) => (b.length > a.length ? b : a));
    expect(longest.length).toBeGreaterThan(22);
    const at = (line: string) => line.indexOf('ip=203.0.113.50');
    const findings = ids.map((id) => humanLine(finding(id)));
    expect(new Set(findings.map(at)).size).toBe(1);
    expect(humanLine(finding(longest))).toContain(`${longest}  ip=`);
    const decisions = ids.map((id) => humanLine(decision(id)));
    expect(new Set(decisions.map((l) => l.indexOf('block ip='))).size).toBe(1);
  });

  it('name a few of the values a finding saw, escaped, with how many more it counted', () => {
    const users = ['101', '202', '303', '404', '505', '606', '707'];
    const line = humanLine({ ...finding('sip/extension-enumeration'), counts: { unknown_users: 22 }, observed: { unknown_users: users, tools: ['evil\u001b[2J\nFINDING forged'] } });
    expect(line).toContain('  unknown_users=101,202,303,404,505 (+17)');
    expect(line).toContain('  tools=evil\\e[2J\\nFINDING forged');
    expect(line.split('\n')).toHaveLength(1);
    // a set without a count of its name: what is quoted beyond those shown
    expect(humanLine({ ...finding('sip/scanner-ua'), observed: { user_agents: users } })).toContain('user_agents=101,202,303,404,505 (+2)');
    expect(humanLine(finding('sip/scanner-ua'))).toMatch(/a reason$/);
  });
});

describe('decision lines say what happened, not only what was decided', () => {
  const line = (outcome: DecisionOutcome, over: Partial<Decision> = {}) => humanLine(decisionLine(record('sip/request-flood', outcome, over)));

  it('an allowlisted address: refused by the allowlist, nothing applied, and the JSON says so', () => {
    const o: DecisionOutcome = { result: 'refused', at: AT, guardrail: 'allowlist', reason: '203.0.113.50 is in allowlisted range 203.0.113.0/24' };
    expect(line(o)).toMatch(/DECISION {2}refused\(allowlist\) sip\/request-flood +block ip=203\.0\.113\.50 at firewall, not applied: 203\.0\.113\.50 is in allowlisted range/);
    expect(line(o)).not.toMatch(/dry-run|for 300s/);
    expect(decisionLine(record('sip/request-flood', o))).toMatchObject({ outcome: 'refused', status: 'refused(allowlist)', guardrail: 'allowlist', ttl_applied_seconds: null });
  });

  it('a repeat offender: the ttl the enforcer applied (600 s), not the 300 s requested', () => {
    const l = line({ result: 'applied', at: AT, guardrail: 'repeat-offender', offense: 2, ttl_applied_seconds: 600, reason: 'offense 2: ttl 300s grown to 600s' });
    expect(l).toMatch(/DECISION {2}dry-run +sip\/request-flood +block ip=203\.0\.113\.50 at firewall for 600s \(repeat offender x2, 300s requested\)$/);
  });

  it('a block the unproven-ban budget turned into a rate limit prints as the rate limit', () => {
    const l = line({ result: 'applied', at: AT, guardrail: 'unproven-ban-budget', action_applied: 'rate-limit', ttl_applied_seconds: 300 });
    expect(l).toMatch(/DECISION {2}dry-run +sip\/request-flood +rate-limit ip=203\.0\.113\.50 at firewall for 300s \(block turned rate-limit by guardrail unproven-ban-budget\)$/);
  });

  it('enforce mode says applied; an open breaker says alert-only; a decision without an outcome says only its mode', () => {
    expect(line({ result: 'applied', at: AT, ttl_applied_seconds: 300 }, { mode: 'enforce' })).toMatch(/DECISION {2}applied +sip/);
    expect(line({ result: 'alert-only', at: AT, guardrail: 'circuit-breaker', reason: 'too many new blocks' })).toMatch(/alert-only\(circuit-breaker\) .*, not applied: too many new blocks$/);
    expect(humanLine(decisionLine(record('sip/request-flood')))).toMatch(/DECISION {2}dry-run +sip\/request-flood +block ip=203\.0\.113\.50 at firewall for 300s$/);
  });
});
