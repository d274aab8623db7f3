// The lab recording with its ground truth: every labelled attack detected, by a detector of the
// right kind, with the right key, within 10 s of its start; no finding without an attack; no block
// decision against a legit user, the carrier, the PBX or a forged source.
import path from 'node:path';
import { DATA_DIR } from '../collector/sip/test-support/data-dir';
import { runCli } from './test-io';

const LAB = path.join(DATA_DIR, 'lab-dev');

describe('callsentry evaluate on the lab recording', () => {
  it.each([['pbx.pcap'], ['lan.pcap']])('%s: every attack found in time, no false finding, no forbidden block', async (capture) => {
    const { code, out } = await runCli(['evaluate', '--json', path.join(LAB, capture), path.join(LAB, 'labels.json')]);
    const score = JSON.parse(out.join(''));
    const keys: Record<string, string> = {
      'A-01-scan': 'ip=198.18.0.66',
      'A-02-enumeration': 'ip=198.18.0.66',
      'A-03-invite_flood': 'ip=198.18.0.68',
      'A-04-bruteforce': 'ip=198.18.0.67',
      // first by fraud/destination-risk on the attacker's address (Iridium, score 100); the
      // account-keyed detectors suspend account 105 seconds later
      'A-05-toll_fraud': 'ip=198.18.0.67',
      'A-06-spoofed_flood': 'ip=198.18.0.101',
      'A-07-register_flood': 'ip=198.18.0.68',
    };
    for (const e of score.events) {
      expect({ id: e.id, detected: e.detected, key: e.first?.key }).toEqual({ id: e.id, detected: true, key: keys[e.id] });
      expect(e.first.latencySeconds).toBeLessThanOrEqual(10);
    }
    expect(score.events.find((e: { id: string }) => e.id === 'A-06-spoofed_flood').blocked).toEqual([]);
    expect(score.unmatchedFindings).toEqual([]);
    expect(score.forbiddenBlocks).toEqual([]);
    expect(code).toBe(0);
  });
});
