// A replay of the lab recording (../shared/data/lab-dev/pbx.pcap) gives one incident per attacker:
// 198.18.0.66 (scan, enumeration), 198.18.0.67 (brute force on 105, take-over, toll fraud from
// 105) and 198.18.0.68 (INVITE and REGISTER floods). The spoofed flood names only the
// address it forged, 198.18.0.101, and is an incident of its own (docs/incidents.md).
import path from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_CONFIG } from '../core/config';
import { silentLogger } from '../core/ports';
import { validateIncident } from '../core/validate';
import { replayFiles, type ReplayResult } from '../commands/replay-pipeline';
import type { CommandIo } from '../commands/io';
import { DATA_DIR } from '../collector/sip/test-support/data-dir';

const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };

describe('incidents of the lab-dev capture', () => {
  let replay: ReplayResult;
  beforeAll(async () => {
    replay = await replayFiles([path.join(DATA_DIR, 'lab-dev', 'pbx.pcap')], structuredClone(DEFAULT_CONFIG), io, { log: silentLogger });
  }, 120_000);

  const open = () => replay.incidents.filter((i) => !i.closed);
  const holding = (type: string, value: string) => open().filter((i) => i.keys.some((k) => k.type === type && k.value === value));

  it('gives one incident per attacker, and every finding is on exactly one open incident', () => {
    for (const ip of ['198.18.0.66', '198.18.0.67', '198.18.0.68']) expect(holding('ip', ip)).toHaveLength(1);
    expect(new Set(['198.18.0.66', '198.18.0.67', '198.18.0.68'].map((ip) => holding('ip', ip)[0].id)).size).toBe(3);
    // the three attackers; the spoofed flood's claimed source (.101, a phone's address); and the
    // flood's forged sources, one incident for the spray, with the lab network's own finding
    expect(open()).toHaveLength(5);
    expect(holding('ip', '198.18.0.101')).toHaveLength(1);
    const spray = holding('cidr', '198.18.0.0/24');
    expect(spray).toHaveLength(1);
    expect(spray[0].keys.filter((k) => k.type === 'ip').length).toBeGreaterThanOrEqual(20);
    const onTimelines = open().flatMap((i) => i.timeline.map((e) => e.id));
    expect(onTimelines.sort()).toEqual(replay.findings.map((f) => f.event.id).sort());
    for (const i of replay.incidents) expect(validateIncident(i) || validateIncident.lastError()).toBe(true);
  });

  it('joins the brute-forcing source, the account it took over and the numbers dialled from it', () => {
    const [inc] = holding('ip', '198.18.0.67');
    expect(holding('account', '105')).toEqual([inc]);
    expect(inc.keys.filter((k) => k.type === 'number').length).toBeGreaterThan(0);
    expect(inc.phases).toEqual(['scan', 'brute-force', 'compromise', 'fraud', 'flood']);
    expect(inc.severity).toBe('critical');
    expect(inc.title).toMatch(/^198\.18\.0\.67.*\(account 105\): scan → brute-force → compromise → fraud → flood$/);
    // kill-chain order on the timeline, whatever order the findings came in
    const ranks = inc.timeline.map((e) => ['scan', 'enumeration', 'brute-force', 'compromise', 'fraud', 'flood', 'policy'].indexOf(e.phase));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // the decisions on its findings, with the enforcer's outcome
    expect(inc.decisions.map((d) => d.action).sort()).toEqual(expect.arrayContaining(['block', 'suspend-account']));
    for (const d of inc.decisions) expect(d.outcome).toBeDefined();
  });

  it('keeps scan and enumeration of 198.18.0.66 on one incident', () => {
    const [inc] = holding('ip', '198.18.0.66');
    expect(inc.phases).toEqual(['scan', 'enumeration', 'flood']);
    expect(inc.status).toBe('open');
  });
});

describe('callsentry replay of the lab-dev capture', () => {
  it('ends with the incidents, one line each', async () => {
    const { runCli } = await import('../commands/test-io');
    const r = await runCli(['replay', path.join(DATA_DIR, 'lab-dev', 'pbx.pcap')]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('replay: 5 incident(s)');
    const lines = r.err.filter((l) => l.startsWith('  incident '));
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.includes('198.18.0.67'))).toMatch(/^ {2}incident [0-9a-f]{24} critical open: 198\.18\.0\.67.*\(account 105\): scan → brute-force → compromise → fraud → flood \(\d+ findings, \d+ decisions\)$/);
  }, 120_000);
});
