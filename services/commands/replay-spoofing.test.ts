// The shared adversarial inputs (../shared/data/adversarial, see its README) replayed as a user
// would: each stands for a class of forgery, and variants of each are replayed beside it. What the
// decisions say is checked on the printed output; what the enforcer did, on the audit trail.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataPath } from '../collector/sip/test-support/data-dir';
import { runCli } from './test-io';

const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-spoof-'));
const adversarial = (name: string) => dataPath('adversarial', name);

interface Line {
  kind: 'finding' | 'decision';
  detector: string;
  key?: { type: string; value: string };
  target?: { type: string; value: string };
  action?: string;
  reason?: string;
  action_applied?: string;
  status?: string;
  guardrail?: string | null;
}

let runs = 0;
/** Replays the files with an audit log of its own (and extra configuration); printed lines and audit entries. */
async function replay(files: string[], config = '') {
  const log = path.join(dir, `audit-${++runs}.ndjson`);
  const cfg = path.join(dir, `config-${runs}.yaml`);
  writeFileSync(cfg, `audit:\n  log_file: ${log}\n${config}`);
  const { code, out, err } = await runCli(['replay', '--json', '--config', cfg, ...files]);
  expect(code).toBe(0);
  const lines: Line[] = out.filter(Boolean).map((l) => JSON.parse(l));
  const audit = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { actor: { type: string }; what: string; result: string });
  return { lines, decisions: lines.filter((l) => l.kind === 'decision'), enforced: audit.filter((e) => e.actor.type === 'enforcer'), err };
}

const on = (decisions: Line[], ip: string) => decisions.filter((d) => d.target?.value === ip).map((d) => d.action);

describe('replayed forgeries never get an innocent address blocked or an account suspended', () => {
  it('s2: a nonce the server shared with the attacker proves nothing; the phone is rate-limited, never blocked', async () => {
    const { decisions } = await replay([adversarial('s2-nonce-sharing-forged-phone.pcap')]);
    // the brute force's 2-minute horizon alerts first, then its own window and the flood rate-limit
    expect(on(decisions, '198.18.0.101')).toEqual(['alert-only', 'rate-limit', 'rate-limit']);
  });

  it('s2c: the same flood without the shared nonce is rate-limited at most (control)', async () => {
    const { decisions } = await replay([adversarial('s2c-control-nonce-not-shared.pcap')]);
    expect(on(decisions, '198.18.0.101')).toEqual(['alert-only', 'rate-limit', 'rate-limit']);
  });

  it('s3: a carrier with proven dialogs and no digest user is established; a flood forged from it is rate-limited', async () => {
    const { decisions } = await replay([adversarial('s3-forged-carrier-flood.pcap')]);
    expect(on(decisions, '198.18.0.20')).toEqual(['rate-limit']);
  });

  it('s3, configured: a carrier listed as a trunk or platform address is never even rate-limited', async () => {
    for (const config of ['enforcer:\n  platform:\n    addresses: [198.18.0.16/29]\n', 'detectors:\n  policy/untrusted-trunk:\n    trunks: [{ name: carrier-a, addresses: [198.18.0.20], accounts: [carrier-a] }]\n']) {
      const { decisions } = await replay([adversarial('s3-forged-carrier-flood.pcap')], config);
      expect(on(decisions, '198.18.0.20')).toEqual(['alert-only']);
      expect(decisions.find((d) => d.target?.value === '198.18.0.20')?.reason).toMatch(/platform's own address .* never blocked: configured in/);
    }
  });

  it("s4: a flood forged from the PBX's own address is an alert, never a block (the PBX is learned from the traffic)", async () => {
    const { decisions } = await replay([adversarial('s4-forged-pbx-flood.pcap')]);
    expect(on(decisions, '198.18.0.10')).toEqual(['alert-only']);
    expect(decisions[0].reason).toMatch(/platform's own address 198\.18\.0\.10, never blocked: seen answering as a SIP server/);
  });

  it('s4, learning off: the PBX in enforcer.platform.addresses holds the same', async () => {
    const { decisions } = await replay([adversarial('s4-forged-pbx-flood.pcap')], 'enforcer:\n  platform:\n    learn_servers: false\n    addresses: [198.18.0.10]\n');
    expect(on(decisions, '198.18.0.10')).toEqual(['alert-only']);
  });

  it('s6: an INVITE answered 483 before any authentication, naming account 105, costs nothing and suspends nobody', async () => {
    const { lines } = await replay([adversarial('s6-min-one-packet-483.pcap')]);
    expect(lines.filter((l) => l.detector.startsWith('fraud/'))).toEqual([]);
    expect(lines.filter((l) => l.action === 'suspend-account')).toEqual([]);
  });

  it('forged first bans cannot use up the circuit breaker: the proven TCP attacker is still blocked', async () => {
    const { enforced, err, decisions } = await replay([adversarial('forged-sources-then-real-attacker.ndjson')]);
    const attacker = enforced.filter((e) => e.what.includes('ip=203.0.113.77'));
    expect(attacker.map((e) => e.what)).toEqual([expect.stringMatching(/^dry-run block ip=203\.0\.113\.77 at firewall/)]);
    expect(attacker[0].result).toMatch(/^applied/);
    const forged = enforced.filter((e) => /ip=198\.51\.100\.\d+ /.test(e.what));
    expect(forged.length).toBeGreaterThanOrEqual(110);
    expect(forged.filter((e) => e.what.startsWith('dry-run block'))).toHaveLength(20); // enforcer.guardrails.max_unproven_bans_per_minute
    expect(forged.filter((e) => e.what.startsWith('dry-run rate-limit') && e.result.includes('unproven-ban-budget')).length).toBeGreaterThanOrEqual(90);
    expect(enforced.filter((e) => e.result.includes('circuit-breaker'))).toEqual([]);
    expect(err.join('\n')).not.toMatch(/circuit breaker open/);
    // the printed decisions say the same: the bans past the budget are printed as the rate limits they became
    const printed = decisions.filter((d) => /^198\.51\.100\.\d+$/.test(d.target?.value ?? ''));
    expect(printed.filter((d) => d.action_applied === 'block' && d.status === 'dry-run')).toHaveLength(20);
    const limited = printed.filter((d) => d.action === 'block' && d.action_applied === 'rate-limit');
    expect(limited.length).toBe(printed.length - 20);
    expect(limited.every((d) => d.guardrail === 'unproven-ban-budget' && d.status === 'dry-run')).toBe(true);
  });

  it('an allowlisted attacker is printed as refused by the allowlist, in --json and for people', async () => {
    const { decisions } = await replay([adversarial('forged-sources-then-real-attacker.ndjson')], 'enforcer:\n  allowlist: ["203.0.113.0/24"]\n');
    expect(decisions.filter((d) => d.target?.value === '203.0.113.77')).toEqual([expect.objectContaining({ action: 'block', status: 'refused(allowlist)', outcome: 'refused', guardrail: 'allowlist', ttl_applied_seconds: null })]);
    const cfg = path.join(dir, 'allow.yaml');
    writeFileSync(cfg, 'enforcer:\n  allowlist: ["203.0.113.0/24"]\n');
    const { out } = await runCli(['replay', '--quiet', '--config', cfg, adversarial('forged-sources-then-real-attacker.ndjson')]);
    expect(out.filter((l) => l.includes('DECISION') && l.includes('203.0.113.77'))).toEqual([
      expect.stringMatching(/DECISION {2}refused\(allowlist\) sip\/request-flood +block ip=203\.0\.113\.77 at firewall, not applied: 203\.0\.113\.77 is in allowlisted range 203\.0\.113\.0\/24$/),
    ]);
  });

  it('a benign sipp load test on loopback never blocks 127.0.0.1', async () => {
    const { decisions, enforced } = await replay([dataPath('pcap-benign/sipnab_sipp-branch-scenario.pcapng')]);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.filter((d) => d.action === 'block' || d.action === 'rate-limit')).toEqual([]);
    expect(decisions.every((d) => /platform's own address 127\.0\.0\.0\/8, never blocked: loopback/.test(d.reason ?? ''))).toBe(true);
    expect(enforced.filter((e) => /^dry-run (block|rate-limit)/.test(e.what))).toEqual([]);
  });
});

describe('IPv6 text forms', () => {
  const flow = (i: number, ip: string, sip: Record<string, unknown>, transport = 'udp') =>
    JSON.stringify({
      '@timestamp': new Date(Date.parse('2026-01-01T00:00:00Z') + i * 20).toISOString(),
      event: { id: `v6-${i}`, kind: 'event', dataset: 'sip.flow' },
      source: { ip, port: 5060 },
      destination: { ip: '2001:db8::10', port: 5060 },
      network: { transport },
      sip: { call_id: `v6-${i}@x`, ...sip },
    });

  it.each(['2001:DB8:0:0:0:0:0:101', '2001:db8:0::101', '2001:0DB8::0101'])('a flood forged as %s from a phone registered as 2001:db8::101 is rate-limited, not blocked', async (forged) => {
    const registered = flow(0, '2001:db8::101', { method: 'REGISTER', status: 200, auth_user: '101', source_proven: true });
    const flood = Array.from({ length: 120 }, (_, i) => flow(i + 1, forged, { method: 'INVITE', status: 407, source_proven: false }));
    const file = path.join(dir, `v6-${forged.replace(/:/g, '_')}.ndjson`);
    writeFileSync(file, [registered, ...flood].join('\n') + '\n');
    const { decisions } = await replay([file]);
    expect(decisions.map((d) => [d.target?.value, d.action])).toEqual([['2001:db8::101', 'rate-limit']]);
  });

  it('the PBX written in another spelling in the configuration is still the PBX', async () => {
    const flood = Array.from({ length: 120 }, (_, i) => flow(i, '2001:db8:0:0::10', { method: 'INVITE', status: 407, source_proven: true }, 'tcp'));
    const file = path.join(dir, 'v6-pbx.ndjson');
    writeFileSync(file, flood.join('\n') + '\n');
    const { decisions } = await replay([file], "enforcer:\n  platform:\n    learn_servers: false\n    addresses: ['2001:DB8:0:0:0:0:0:10']\n");
    expect(decisions.map((d) => [d.target?.value, d.action])).toEqual([['2001:db8::10', 'alert-only']]);
  });
});
