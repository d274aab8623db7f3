import type { Decision, Finding } from '../core/records';
import { parseLabels } from './labels';
import { score } from './score';

const labels = parseLabels(
  JSON.stringify({
    address_plan: { pbx: { ip: '198.18.0.10' }, carrier: { ip: '198.18.0.20' }, legit_users: [{ ext: 101, ip: '198.18.0.101' }, { ext: 117, ip: '-' }] },
    events: [
      { id: 'flood', kind: 'invite_flood', source_ip: ['198.18.0.68'], account: null, start: '2026-01-01T00:01:00Z', end: '2026-01-01T00:01:10Z', expected_block: true },
      { id: 'fraud', kind: 'toll_fraud', source_ip: ['198.18.0.67'], account: '105', start: '2026-01-01T00:02:00Z', end: '2026-01-01T00:04:00Z', expected_block: true },
      { id: 'spoof', kind: 'spoofed_flood', source_ip: ['198.18.0.101', '198.18.0.128/25'], account: '101', start: '2026-01-01T00:05:00Z', end: '2026-01-01T00:05:05Z', expected_block: false },
    ],
  }),
);

const finding = (id: string, rule: string, type: 'ip' | 'account', value: string, at: string): Finding =>
  ({ '@timestamp': at, event: { id }, rule: { id: rule }, key: { type, value } }) as unknown as Finding;
const block = (findingId: string, target: string, at: string): Decision =>
  ({ '@timestamp': at, action: 'block', target: { type: 'ip', value: target }, finding_ids: [findingId], origin: { type: 'detector', id: 'x' } }) as unknown as Decision;

describe('score', () => {
  it('matches findings to attacks by key and time, measures latency and flags forbidden blocks and false positives', () => {
    const findings = [
      finding('f1', 'sip/request-flood', 'ip', '198.18.0.68', '2026-01-01T00:01:00.700Z'),
      finding('f2', 'fraud/prefix-probing-account', 'account', '105', '2026-01-01T00:02:03Z'),
      finding('f3', 'sip/request-flood', 'ip', '198.18.0.140', '2026-01-01T00:05:01Z'), // a forged source of the spoof
      finding('f4', 'sip/scanner-ua', 'ip', '198.51.100.9', '2026-01-01T00:03:00Z'), // nobody attacked from there
    ];
    const decisions = [block('f1', '198.18.0.68', '2026-01-01T00:01:00.700Z'), block('f3', '198.18.0.140', '2026-01-01T00:05:01Z')];
    const s = score(labels, findings, decisions);
    expect(s.events.map((e) => [e.id, e.detected, e.first?.detector, e.first?.latencySeconds, e.blocked])).toEqual([
      ['flood', true, 'sip/request-flood', 0.7, ['198.18.0.68']],
      ['fraud', true, 'fraud/prefix-probing-account', 3, []],
      ['spoof', true, 'sip/request-flood', 1, ['198.18.0.140']],
    ]);
    expect(s.unmatchedFindings.map((f) => f.event.id)).toEqual(['f4']);
    expect(s.forbiddenBlocks.map((b) => [b.decision.target.value, b.why])).toEqual([['198.18.0.140', 'forged source of spoof']]);
  });

  it('does not count a detector of the wrong kind as detection', () => {
    const s = score(labels, [finding('f1', 'sip/scanner-ua', 'ip', '198.18.0.68', '2026-01-01T00:01:01Z')], []);
    expect(s.events[0]).toMatchObject({ detected: false, detectors: ['sip/scanner-ua'] });
  });

  it('protects the PBX, the carrier and every legit user with an address', () => {
    expect(labels.neverBlock.map((p) => p.address)).toEqual(['198.18.0.10', '198.18.0.20', '198.18.0.101', '198.18.0.101', '198.18.0.128/25']);
  });
});
