// `callsentry incidents` against the operator API of an embedded pipeline: findings in, incidents
// listed and shown as tables and JSON, acknowledged and resolved (bulk), errors that say what is wrong.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../core/config';
import { decode, encode } from '../core/codec';
import { silentLogger, type Subscription } from '../core/ports';
import type { AuditEvent, Finding, Incident } from '../core/records';
import { createRuntime, ensureTopics, type Runtime } from '../runtime/runtime';
import { startEnforce, startIncidents } from '../runtime/stages';
import type { Enforcer } from '../enforcer/enforcer';
import { serveOperatorApi } from '../console/serve';
import type { OperatorApi } from '../console/operator-api';
import { runCli } from './test-io';

const T0 = Date.now() - 60_000;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

function finding(id: string, s: number, key: Finding['key'], behavior: string, severity: Finding['severity'], observed?: Record<string, string[]>): Finding {
  return {
    '@timestamp': at(s),
    event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: `test/${behavior.replace(':', '-')}`, name: behavior, category: 'credential' },
    severity,
    key,
    window: { start: at(s - 10), end: at(s), seconds: 10 },
    counts: { records: 10 },
    evidence: { record_ids: ['r1'], ...(observed ? { observed } : {}) },
    labels: { behavior },
    remediation: 'alert-only',
    first_seen: at(s - 5),
    last_seen: at(s),
  };
}

describe('callsentry incidents', () => {
  let bus: MemoryBus;
  let rt: Runtime;
  let api: OperatorApi;
  let subs: Subscription[];
  let tokenFile: string;
  const audit: AuditEvent[] = [];
  const cli = (...argv: string[]) => runCli([...argv, '--api', api.url], { env: { CALLSENTRY_API_TOKEN_FILE: tokenFile } });

  beforeAll(async () => {
    const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
    cfg.api.listen = '127.0.0.1:0';
    tokenFile = path.join(mkdtempSync(path.join(tmpdir(), 'callsentry-incidents-')), 'api-token');
    bus = new MemoryBus();
    rt = createRuntime(cfg, { bus, log: silentLogger });
    await ensureTopics(rt);
    let enforcer: Enforcer | undefined;
    subs = [...(await startEnforce(rt, { onEnforcer: (e) => (enforcer = e) })), await startIncidents(rt)];
    api = (await serveOperatorApi(rt, enforcer!, { CALLSENTRY_API_TOKEN_FILE: tokenFile }))!;
    await bus.subscribe({ groupId: 'test-audit', topics: [rt.topics.name('audit.v1')], handler: async (b) => void b.messages.forEach((m) => audit.push(decode(m))) });
    const findings = [
      finding('f-brute', 10, { type: 'ip', value: '203.0.113.7' }, 'sip:bruteforce', 'high', { accounts: ['105'] }),
      finding('f-fraud', 20, { type: 'account', value: '105' }, 'fraud:irsf', 'critical', { numbers: ['+8816802801'] }),
      finding('f-scan', 30, { type: 'ip', value: '198.51.100.9' }, 'sip:scan', 'medium'),
    ];
    await (await bus.producer()).send(rt.topics.name('findings.v1'), findings.map((f) => encode(f.key.value, f)));
    await bus.drained();
  });

  afterAll(async () => {
    await api.close();
    for (const s of subs) await s.stop();
    await bus.close();
  });

  const listJson = async (...filters: string[]): Promise<Incident[]> => {
    const r = await cli('incidents', 'list', ...filters, '-o', 'json');
    expect(r.code).toBe(0);
    return JSON.parse(r.out.join('\n')) as Incident[];
  };

  it('lists incidents as a table, one row per attacker, the latest first', async () => {
    const r = await cli('incidents', 'list');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^ID\s+SEVERITY\s+STATUS\s+FINDINGS\s+LAST SEEN\s+ASSIGNEE\s+TITLE$/);
    expect(r.out).toHaveLength(3);
    expect(r.out[1]).toMatch(/medium\s+open\s+1\s+.*198\.51\.100\.9: scan$/);
    expect(r.out[2]).toMatch(/critical\s+open\s+2\s+.*203\.0\.113\.7 \(account 105\): brute-force → fraud$/);
  });

  it('lists as JSON, filtered by severity, key and status', async () => {
    expect((await listJson()).map((i) => i.finding_count)).toEqual([1, 2]);
    expect((await listJson('--severity', 'high')).map((i) => i.severity)).toEqual(['critical']);
    expect((await listJson('--key', 'number:+8816802801')).map((i) => i.title)).toEqual(['203.0.113.7 (account 105): brute-force → fraud']);
    expect(await listJson('--key', '198.51.100.9')).toHaveLength(1);
    expect(await listJson('--status', 'resolved')).toEqual([]);
    expect(await listJson('--since', '1s')).toEqual([]);
  });

  it('shows one incident: its timeline in kill-chain order, as a table and as JSON', async () => {
    const [, fraud] = await listJson();
    const table = await cli('incidents', 'show', fraud.id);
    expect(table.code).toBe(0);
    expect(table.out.join('\n')).toMatch(/Keys\s+ip:203\.0\.113\.7, account:105, number:\+8816802801/);
    const rows = table.out.filter((l) => /^\s+(brute-force|fraud)\s/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(['brute-force', 'fraud']);
    const json = await cli('incidents', 'show', fraud.id, '-o', 'json');
    expect((JSON.parse(json.out.join('\n')) as Incident).timeline.map((e) => e.id)).toEqual(['f-brute', 'f-fraud']);
  });

  it('acknowledges and resolves in bulk, audited with who, why and ticket', async () => {
    const ids = (await listJson()).map((i) => i.id);
    const ack = await cli('incidents', 'ack', ...ids, '--why', 'looking into it', '--ticket', 'NOC-7');
    expect(ack.code).toBe(0);
    expect(ack.out).toHaveLength(2);
    await bus.drained();
    expect((await listJson()).map((i) => i.status)).toEqual(['acknowledged', 'acknowledged']);
    const events = audit.filter((e) => e.ref?.kind === 'incident');
    expect(events.map((e) => [e.what, e.ticket, e.why, e.outcome]).sort()).toEqual(ids.map((id) => [`acknowledge incident ${id}`, 'NOC-7', 'looking into it', 'acknowledged']).sort());
    expect((await cli('incidents', 'resolve', ids[0], '--why', 'blocked', '--ticket', 'NOC-7')).code).toBe(0);
    await bus.drained();
    const [resolved] = await listJson('--status', 'resolved');
    expect(resolved.id).toBe(ids[0]);
    expect(resolved.notes.map((n) => n.text)).toEqual(['ack: looking into it', 'resolve: blocked']);
  });

  it('says so when an id is unknown, exits 1, and changes nothing', async () => {
    const before = await listJson();
    const show = await cli('incidents', 'show', 'no-such-incident');
    expect(show.code).toBe(1);
    expect(show.err.join('\n')).toMatch(/no incident no-such-incident/);
    const ack = await cli('incidents', 'ack', before[0].id, 'no-such-incident', '--why', 'x', '--ticket', 'T-1');
    expect(ack.code).toBe(1);
    expect(ack.err.join('\n')).toMatch(/no incident no-such-incident; nothing was changed/);
    await bus.drained();
    expect((await listJson()).map((i) => i.revision)).toEqual(before.map((i) => i.revision));
  });

  it('refuses bad usage with exit 2 and the reason', async () => {
    expect((await cli('incidents', 'list', '-o', 'yaml')).err.join('\n')).toMatch(/-o takes table or json/);
    expect((await cli('incidents', 'ack', 'x')).code).toBe(2);
    expect((await cli('incidents', 'ack', 'x')).err.join('\n')).toMatch(/--why TEXT and --ticket REF/);
    expect((await cli('incidents', 'list', '--severity', 'huge')).err.join('\n')).toMatch(/severity must be one of low, medium, high, critical/);
    expect((await cli('incidents', 'frobnicate')).code).toBe(2);
    const help = await runCli(['incidents', '--help']);
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toMatch(/-o, --output <value>\s+table or json/);
  });
});
