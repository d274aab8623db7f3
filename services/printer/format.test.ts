import { DETECTORS } from '../detectors/registry';
import { humanLine, type DecisionLine, type FindingLine } from './format';

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

const decision = (detector: string): DecisionLine => ({
  kind: 'decision',
  detector,
  '@timestamp': '2026-03-01T00:00:00.000Z',
  id: 'd1',
  target: { type: 'ip', value: '203.0.113.50' },
  action: 'block',
  mode: 'dry-run',
  scope: 'firewall',
  ttl_seconds: 300,
  reason: 'r',
  finding_ids: ['f1'],
});

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
