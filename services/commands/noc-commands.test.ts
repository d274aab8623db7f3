// The NOC's commands against a running enforcer (decide and enforce stages, the operator API with its
// history) on the embedded bus: findings list|inspect, decisions add|list|delete, blocks show,
// status and --version, each in table and JSON form, and their errors and exit codes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../core/config';
import { encode } from '../core/codec';
import { silentLogger } from '../core/ports';
import type { Finding } from '../core/records';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { startEnforce } from '../runtime/stages';
import type { Enforcer } from '../enforcer/enforcer';
import { serveOperatorApi } from '../console/serve';
import { runCli } from './test-io';

const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

function finding(id: string, over: Partial<Finding> & { ip?: string; detector?: string; ageMs?: number } = {}): Finding {
  const at = iso(NOW - (over.ageMs ?? 1000));
  const detector = over.detector ?? 'sip/extension-enumeration';
  return {
    '@timestamp': at,
    event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: detector, name: detector, description: '20 distinct unknown users in 60s', category: 'reconnaissance' },
    severity: 'high',
    key: { type: 'ip', value: over.ip ?? '203.0.113.50' },
    window: { start: at, end: at, seconds: 60 },
    counts: { unknown_users: 20 },
    evidence: { record_ids: ['r1', 'r2'], observed: { extensions: ['100', '101', '1000'] } },
    labels: { behavior: 'sip:enumeration' },
    remediation: 'block-source',
    first_seen: at,
    last_seen: at,
    source_proven: true,
    ...over,
  };
}

async function rig(cfgOver: (c: CallsentryConfig) => void = () => undefined) {
  const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
  cfg.api.listen = '127.0.0.1:0';
  cfg.enforcer.allowlist = ['192.0.2.0/24'];
  cfgOver(cfg);
  const tokenFile = path.join(mkdtempSync(path.join(tmpdir(), 'callsentry-noc-')), 'api-token');
  const bus = new MemoryBus();
  const rt = createRuntime(cfg, { bus, log: silentLogger });
  await ensureTopics(rt);
  let enforcer: Enforcer | undefined;
  const subs = await startEnforce(rt, { onEnforcer: (e) => (enforcer = e) });
  const api = (await serveOperatorApi(rt, enforcer!, { CALLSENTRY_API_TOKEN_FILE: tokenFile }))!;
  const send = async (...fs: Finding[]) => {
    await (await bus.producer()).send(rt.topics.name('findings.v1'), fs.map((f) => encode(f.key.value, f)));
    await bus.drained();
  };
  const cli = (...argv: string[]) => runCli([...argv, '--api', api.url], { env: { CALLSENTRY_API_TOKEN_FILE: tokenFile } });
  return {
    send,
    cli,
    stop: async () => {
      await api.close();
      for (const s of subs) await s.stop();
      await bus.close();
    },
  };
}

describe('callsentry findings', () => {
  let r: Awaited<ReturnType<typeof rig>>;
  beforeAll(async () => {
    r = await rig();
    await r.send(
      finding('f-old', { ageMs: 6 * 3600_000, ip: '198.51.100.7', severity: 'low' }),
      finding('f-enum'),
      finding('f-acct', { detector: 'fraud/call-velocity', key: { type: 'account', value: '1001' }, severity: 'critical', remediation: 'alert-only' }),
    );
  });
  afterAll(async () => r.stop());

  it('lists, newest first, filtered by --since, --ip, --account, --detector and --severity', async () => {
    const all = await r.cli('findings', 'list', '-o', 'json');
    expect(all.code).toBe(0);
    const ids = (JSON.parse(all.out.join('\n')) as { findings: Finding[] }).findings.map((f) => f.event.id);
    expect(ids.sort()).toEqual(['f-acct', 'f-enum', 'f-old']);
    const ids2 = async (...a: string[]) => (JSON.parse((await r.cli('findings', 'list', '-o', 'json', ...a)).out.join('\n')) as { findings: Finding[] }).findings.map((f) => f.event.id).sort();
    expect(await ids2('--since', '4h')).toEqual(['f-acct', 'f-enum']);
    expect(await ids2('--ip', '198.51.100.7')).toEqual(['f-old']);
    expect(await ids2('--account', '1001')).toEqual(['f-acct']);
    expect(await ids2('--detector', 'sip/extension-enumeration')).toEqual(['f-enum', 'f-old']);
    expect(await ids2('--severity', 'high')).toEqual(['f-acct', 'f-enum']);
  });

  it('prints a table for people', async () => {
    const t = await r.cli('findings', 'list', '--ip', '203.0.113.50');
    expect(t.out[0]).toMatch(/^ID +TIME +SEVERITY +DETECTOR +KEY +WHAT$/);
    expect(t.out[1]).toMatch(/^f-enum +20\d\d-\S+ +high +sip\/extension-enumeration +ip=203\.0\.113\.50 +20 distinct unknown users in 60s$/);
    expect((await r.cli('findings', 'list', '--ip', '203.0.113.99')).out).toEqual([expect.stringMatching(/^no findings match \(the history holds the last 3 of at most 10000\)$/)]);
  });

  it('inspects one: what it observed, and its decision with the outcome', async () => {
    const t = await r.cli('findings', 'inspect', 'f-enum');
    expect(t.code).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/extensions: 100, 101, 1000/);
    expect(text).toMatch(/source: +proven/);
    expect(text).toMatch(/decisions:\n {2}20\d\d-\S+ +dry-run +block +ip=203\.0\.113\.50 +600s +sip\/extension-enumeration/);
    const j = JSON.parse((await r.cli('findings', 'inspect', 'f-enum', '-o', 'json')).out.join('\n'));
    expect(j.finding.evidence.observed).toEqual({ extensions: ['100', '101', '1000'] });
    expect(j.decisions).toEqual([expect.objectContaining({ action: 'block', outcome: 'applied', status: 'dry-run', ttl_applied_seconds: 600, finding_ids: ['f-enum'] })]);
  });

  it('says what is wrong, with a non-zero exit', async () => {
    const missing = await r.cli('findings', 'inspect', 'nope');
    expect([missing.code, missing.err.join('\n')]).toEqual([1, expect.stringMatching(/no finding nope in this process's history .*\[NOT_FOUND\]/)]);
    const badSince = await r.cli('findings', 'list', '--since', '4 hours');
    expect([badSince.code, badSince.err.join('\n')]).toEqual([2, expect.stringMatching(/--since takes a duration such as 90s, 30m, 4h/)]);
    const badSeverity = await r.cli('findings', 'list', '--severity', 'urgent');
    expect([badSeverity.code, badSeverity.err.join('\n')]).toEqual([2, expect.stringMatching(/severity must be low, medium, high or critical/)]);
    const badOutput = await r.cli('findings', 'list', '-o', 'yaml');
    expect([badOutput.code, badOutput.err.join('\n')]).toEqual([2, expect.stringMatching(/-o\/--output takes table or json, got 'yaml'/)]);
    expect((await r.cli('findings', 'frobnicate')).code).toBe(2);
  });
});

describe('callsentry decisions and blocks show', () => {
  let r: Awaited<ReturnType<typeof rig>>;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(async () => r.stop());

  it('adds an operator block through the guardrails, printed with its true outcome (dry-run), and lists it', async () => {
    const add = await r.cli('decisions', 'add', '--ip', '203.0.113.60', '--action', 'block', '--ttl', '4h', '--reason', 'scanner seen by the NOC', '--ticket', 'NOC-1');
    expect(add.code).toBe(0);
    expect(add.out).toEqual([expect.stringMatching(/^dry-run block ip=203\.0\.113\.60 at firewall for 14400s; decision \S+ \(audited, ticket NOC-1\)$/)]);
    const list = JSON.parse((await r.cli('decisions', 'list', '--ip', '203.0.113.60', '-o', 'json')).out.join('\n'));
    expect(list.decisions).toEqual([expect.objectContaining({ action: 'block', mode: 'dry-run', outcome: 'applied', ttl_applied_seconds: 14_400, operator: expect.objectContaining({ why: 'scanner seen by the NOC', ticket: 'NOC-1' }) })]);
    const table = await r.cli('decisions', 'list');
    expect(table.out[0]).toMatch(/^TIME +OUTCOME +ACTION +TARGET +TTL +BY +WHY$/);
    expect(table.out[1]).toMatch(/dry-run +block +ip=203\.0\.113\.60 +14400s +operator /);
  });

  it('suspends an account; an allowlisted address is refused by the allowlist and exits 1', async () => {
    const sus = await r.cli('decisions', 'add', '--account', '1001', '--action', 'suspend', '--ttl', '1d', '--reason', 'toll fraud', '--ticket', 'FRAUD-12', '-o', 'json');
    expect(sus.code).toBe(0);
    expect(JSON.parse(sus.out.join('\n')).decision).toMatchObject({ action: 'suspend-account', target: { type: 'account', value: '1001' }, scope: 'proxy', status: 'dry-run', ttl_applied_seconds: 86_400 });
    const refused = await r.cli('decisions', 'add', '--ip', '192.0.2.7', '--action', 'block', '--ttl', '1h', '--reason', 'x', '--ticket', 'T-1');
    expect(refused.code).toBe(1);
    expect(refused.out).toEqual([expect.stringMatching(/^refused\(allowlist\) block ip=192\.0\.2\.7 at firewall \(192\.0\.2\.7 is in allowlisted range 192\.0\.2\.0\/24\); decision/)]);
  });

  it('refuses bad requests with what is expected', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['decisions', 'add', '--ip', '203.0.113.1', '--action', 'block', '--ttl', '4h'], /needs --reason TEXT and --ticket REF/],
      [['decisions', 'add', '--ip', '203.0.113.1', '--action', 'nuke', '--ttl', '4h', '--reason', 'x', '--ticket', 'y'], /--action must be block or suspend/],
      [['decisions', 'add', '--ip', '203.0.113.1', '--account', 'x', '--action', 'block', '--ttl', '4h', '--reason', 'x', '--ticket', 'y'], /give one of --ip, --cidr or --account/],
      [['decisions', 'add', '--account', '1001', '--action', 'block', '--ttl', '4h', '--reason', 'x', '--ticket', 'y'], /block takes an address or a CIDR/],
      [['decisions', 'add', '--ip', '203.0.113.1', '--action', 'block', '--ttl', 'forever', '--reason', 'x', '--ticket', 'y'], /--ttl takes a duration/],
      [['decisions', 'add', '--ip', '203.0.113.1/24', '--action', 'block', '--ttl', '4h', '--reason', 'x', '--ticket', 'y'], /--ip takes one address; a range goes in --cidr/],
    ];
    for (const [argv, message] of cases) {
      const res = await r.cli(...argv);
      expect([argv.join(' '), res.code, res.err.join('\n')]).toEqual([argv.join(' '), 2, expect.stringMatching(message)]);
    }
    const none = await r.cli('decisions', 'delete', '--ip', '203.0.113.99', '--reason', 'x', '--ticket', 'y');
    expect([none.code, none.err.join('\n')]).toEqual([1, expect.stringMatching(/203\.0\.113\.99 is not blocked or limited at firewall: nothing to unblock \[NOT_FOUND\]/)]);
  });

  it('blocks show: why it is blocked (findings, evidence, outcome, expiry); not blocked says so and exits 1', async () => {
    await r.send(finding('f-enum'));
    const t = await r.cli('blocks', 'show', '203.0.113.50');
    expect(t.code).toBe(0);
    const text = t.out.join('\n');
    expect(text).toMatch(/^ip=203\.0\.113\.50 at firewall: block until 20\d\d-\S+ \(\d+s left\)/);
    expect(text).toMatch(/reason: sip\/extension-enumeration: 20 distinct unknown users in 60s/);
    expect(text).toMatch(/f-enum .* high {2}sip\/extension-enumeration {2}ip=203\.0\.113\.50/);
    expect(text).toMatch(/extensions: 100, 101, 1000/);
    expect(text).toMatch(/decisions:\n {2}\S+ +dry-run +block +ip=203\.0\.113\.50 +600s/);
    const j = JSON.parse((await r.cli('blocks', 'show', '203.0.113.50', '-o', 'json')).out.join('\n'));
    expect(j.block).toMatchObject({ action: 'block', expires_at: expect.any(String), findingIds: ['f-enum'] });
    expect(j.findings[0].evidence.observed.extensions).toEqual(['100', '101', '1000']);
    expect(j.decisions[0]).toMatchObject({ outcome: 'applied', status: 'dry-run', ttl_applied_seconds: 600 });
    const not = await r.cli('blocks', 'show', '203.0.113.51');
    expect([not.code, not.err.join('\n')]).toEqual([1, expect.stringMatching(/203\.0\.113\.51 is not blocked or limited at firewall \[NOT_FOUND\]/)]);
  });
});

describe('callsentry status and --version', () => {
  it('status: mode, breaker, live blocks, stages with lag; table and JSON', async () => {
    const r = await rig();
    try {
      await r.send(finding('f-enum'));
      const j = await r.cli('status', '-o', 'json');
      expect(j.code).toBe(0);
      const s = JSON.parse(j.out.join('\n'));
      expect(s).toMatchObject({ mode: 'dry-run', circuit_open: false, live_blocks: 1, open_incidents: 0, history: { findings: 1, decisions: 1, capacity: 10_000 } });
      expect(s.stages.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['decide', 'enforce']));
      const t = await r.cli('status');
      expect(t.out.join('\n')).toMatch(/mode: +dry-run \(nothing is enforced[^\n]*\ncircuit breaker: closed\nlive blocks: +1\nopen incidents: +0/);
      expect(t.out.join('\n')).toMatch(/STAGE +RECORDS IN +LAG +FAILED BATCHES\n(.*\n)*enforce +1 /);
    } finally {
      await r.stop();
    }
  });

  it('status without a running enforcer says how to start one', async () => {
    const res = await runCli(['status', '--api', '127.0.0.1:1']);
    expect([res.code, res.err.join('\n')]).toEqual([2, expect.stringMatching(/cannot reach the operator API at http:\/\/127\.0\.0\.1:1 .*is `callsentry enforce` or `callsentry start` running\?/)]);
  });

  it('--version and -V print the package version', async () => {
    const { version } = require('../../package.json') as { version: string };
    for (const flag of ['--version', '-V']) {
      const res = await runCli([flag]);
      expect([res.code, res.out[0]]).toEqual([0, expect.stringMatching(new RegExp(`^callsentry ${version.replace(/\./g, '\\.')}( \\(commit [0-9a-f]{7,}(-dirty)?\\))?$`))]);
    }
  });
});
