import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate, type Scenario } from '../collector/synthetic';
import { runCli } from './test-io';

const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-replay-'));
const scenario: Scenario = {
  startMs: Date.parse('2026-05-01T08:00:00Z'),
  seconds: 40,
  phones: 25,
  callsPerMinute: 4,
  seed: 11,
  attackers: [{ ip: '203.0.113.99', method: 'INVITE', ratePerSecond: 60, startSecond: 12, durationSeconds: 5 }],
};
const records = generate(scenario);
const file = path.join(dir, 'flows.ndjson');
writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

describe('callsentry replay', () => {
  it('prints a finding and a dry-run block decision for the flooding source, nothing for benign sources', async () => {
    const { code, out, err } = await runCli(['replay', '--json', file]);
    expect(code).toBe(0);
    const lines = out.filter(Boolean).map((l) => JSON.parse(l));
    // the flood, and the distinct numbers it dials without credentials (sip/invite-scan)
    expect(lines.map((l) => `${l.kind} ${l.detector}`).sort()).toEqual(['decision sip/invite-scan', 'decision sip/request-flood', 'finding sip/invite-scan', 'finding sip/request-flood']);
    const finding = lines.find((l) => l.kind === 'finding' && l.detector === 'sip/request-flood');
    const decision = lines.find((l) => l.kind === 'decision' && l.detector === 'sip/request-flood');
    expect(finding).toMatchObject({ detector: 'sip/request-flood', key: { type: 'ip', value: '203.0.113.99' } });
    expect(decision).toMatchObject({ detector: 'sip/request-flood', target: { type: 'ip', value: '203.0.113.99' }, action: 'block', mode: 'dry-run' });
    // event time: the 100th INVITE of a 60/s flood that starts at 08:00:12
    expect(finding['@timestamp']).toBe('2026-05-01T08:00:13.650Z');
    expect(decision.finding_ids).toEqual([finding.id]);
    expect(err.join('\n')).toMatch(new RegExp(`replay: ${records.length} lines, 0 captures, ${records.length} records accepted .* 2 findings, 2 decisions \\(dry-run\\)`));
  });

  it('counts and dead-letters bad lines, keeps running and loses no good record', async () => {
    const good = records.map((r) => JSON.stringify(r));
    const bad = ['{"truncated": ', '[1,2,3]', JSON.stringify({ ...records[0], source: { ip: 'not-an-ip' } }), 'x'.repeat(70_000)];
    const mixed = [...good.slice(0, 500), ...bad, ...good.slice(500)].join('\n');
    const { code, out, err } = await runCli(['replay', '--json', '-'], { stdin: mixed });
    expect(code).toBe(0);
    expect(out.filter(Boolean).map((l) => JSON.parse(l).kind).sort()).toEqual(['decision', 'decision', 'finding', 'finding']);
    const summary = err.join('\n');
    expect(summary).toContain(`${records.length} records accepted`);
    expect(summary).toMatch(/rejected: BAD_JSON=1 BAD_RECORD=2 OVERSIZED=1, dead letters: 4/);
  });

  it('reports every dead letter, not only those the embedded bus keeps, and says how many are kept', async () => {
    const bad = Array.from({ length: 100_012 }, (_, i) => (i % 2 ? '{"truncated": ' : 'not json')).join('\n');
    const { code, err } = await runCli(['replay', '-'], { stdin: bad });
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/rejected: BAD_JSON=100012, dead letters: 100012 \(the embedded bus keeps the last 10000\)/);
  });

  it('prints people-readable lines without --json', async () => {
    const { out } = await runCli(['replay', '--quiet', file]);
    expect(out.filter(Boolean)).toHaveLength(4);
    expect(out.filter(Boolean)).toEqual(expect.arrayContaining([
      expect.stringMatching(/FINDING +high +sip\/request-flood +ip=203\.0\.113\.99 +100 INVITE requests in 10s/),
      expect.stringMatching(/DECISION +dry-run +sip\/request-flood +block ip=203\.0\.113\.99 at firewall for 300s/),
    ]));
  });

  it('applies thresholds from a configuration file and refuses a bad one with a clear error', async () => {
    const cfg = path.join(dir, 'strict.yaml');
    writeFileSync(cfg, 'detectors:\n  sip/request-flood:\n    thresholds: { INVITE: 1000 }\n  sip/invite-scan:\n    enabled: false\n');
    const quiet = await runCli(['replay', '--json', '--config', cfg, file]);
    expect(quiet.out.filter(Boolean)).toEqual([]);
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'detectors:\n  sip/request-flood:\n    window_seconds: -3\n');
    const res = await runCli(['replay', '--config', broken, file]);
    expect(res.code).toBe(1);
    expect(res.err.join('\n')).toMatch(/detectors\.sip\/request-flood\.window_seconds: -3 is not allowed; expected a number greater than 0 and at most 86400 \[BAD_CONFIG\]/);
  });

  it('refuses to run without a file and says how to use it', async () => {
    const res = await runCli(['replay']);
    expect(res.code).toBe(2);
    expect(res.err.join('\n')).toMatch(/replay needs at least one FILE/);
  });
});
