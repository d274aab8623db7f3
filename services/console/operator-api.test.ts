import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../core/config';
import { decode, encode } from '../core/codec';
import { silentLogger } from '../core/ports';
import type { AuditEvent, Decision } from '../core/records';
import { validateAuditEvent, validateDecision } from '../core/validate';
import { createRuntime, ensureTopics, type Runtime } from '../runtime/runtime';
import { startEnforce } from '../runtime/stages';
import { runCli } from '../commands/test-io';
import type { Enforcer } from '../enforcer/enforcer';
import { startOperatorApi, type OperatorApi } from './operator-api';
import { decision } from '../enforcer/test-decisions';

interface Rig {
  rt: Runtime;
  bus: MemoryBus;
  api: OperatorApi;
  audit: AuditEvent[];
  decisions: Decision[];
  stop(): Promise<void>;
}

async function rig(token?: string): Promise<Rig> {
  const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
  const bus = new MemoryBus();
  const rt = createRuntime(cfg, { bus, log: silentLogger });
  await ensureTopics(rt);
  let enforcer: Enforcer | undefined;
  const subs = await startEnforce(rt, { onEnforcer: (e) => (enforcer = e) });
  const api = await startOperatorApi({ listen: '127.0.0.1:0', token, enforcer: enforcer!, producer: await bus.producer(), topics: rt.topics, clock: rt.clock, log: silentLogger });
  const audit: AuditEvent[] = [];
  const decisions: Decision[] = [];
  await bus.subscribe({ groupId: 'test-audit', topics: [rt.topics.name('audit.v1')], handler: async (b) => void b.messages.forEach((m) => audit.push(decode(m))) });
  await bus.subscribe({ groupId: 'test-decisions', topics: [rt.topics.name('decisions.v1')], handler: async (b) => void b.messages.forEach((m) => decisions.push(decode(m))) });
  return {
    rt,
    bus,
    api,
    audit,
    decisions,
    stop: async () => {
      await api.close();
      for (const s of subs) await s.stop();
      await bus.close();
    },
  };
}

const now = () => new Date().toISOString();
const cli = (r: Rig, ...argv: string[]) => runCli([...argv, '--api', r.api.url], { env: { CALLSENTRY_API_TOKEN: 'op-secret' } });

describe('operator API and commands', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig('op-secret');
    // a detector's block, as the decide stage writes it
    const d = decision('flood-1', 'block', 'firewall', '203.0.113.50', { '@timestamp': now(), ttl_seconds: 600, reason: 'sip/request-flood: 150 INVITE in 10s', mode: 'dry-run' });
    await (await r.bus.producer()).send(r.rt.topics.name('decisions.v1'), [encode(d.target.value, d)]);
    await r.bus.drained();
  });
  afterEach(async () => r.stop());

  it('lists live blocks with reason and expiry, unblocks one, and audits the request with who, why and ticket and the outcome', async () => {
    const list = await cli(r, 'blocks', 'list');
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^block\s+ip=203\.0\.113\.50\s+firewall\s+until 20\d\d-.*sip\/request-flood: 150 INVITE in 10s/);

    const un = await cli(r, 'blocks', 'unblock', '203.0.113.50', '--who', 'ana', '--why', 'customer PBX, false positive', '--ticket', 'NOC-4711');
    expect(un.code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'blocks', 'list')).out).toEqual(['no live blocks']);

    const op = r.decisions.find((d) => d.action === 'unblock')!;
    expect(validateDecision(op)).toBe(true);
    expect(op).toMatchObject({ origin: { type: 'operator', id: 'ana' }, operator: { who: 'ana', why: 'customer PBX, false positive', ticket: 'NOC-4711' } });
    expect(r.audit.every((e) => validateAuditEvent(e))).toBe(true);
    expect(r.audit.find((e) => e.actor.type === 'operator')).toMatchObject({ actor: { id: 'ana' }, what: 'unblock ip=203.0.113.50 at firewall', why: 'customer PBX, false positive', ticket: 'NOC-4711', result: 'requested' });
    expect(r.audit.find((e) => e.ref?.id === op.id && e.actor.type === 'enforcer')).toMatchObject({ result: expect.stringMatching(/^removed: dry-run/), ticket: 'NOC-4711' });
  });

  it('extends a live block, and says so when there is none', async () => {
    const ext = await cli(r, 'blocks', 'extend', '203.0.113.50', '--ttl', '86400', '--why', 'repeat offender', '--ticket', 'SEC-12');
    expect(ext.code).toBe(0);
    await r.bus.drained();
    const { blocks: [b] } = (await (await fetch(`${r.api.url}/v1/blocks`, { headers: { authorization: "Bearer op-secret" } })).json()) as { blocks: Array<{ expires_at: string; operator: object }> };
    expect(Date.parse(b.expires_at) - Date.now()).toBeGreaterThan(86_000_000);
    expect(b.operator).toMatchObject({ why: 'repeat offender', ticket: 'SEC-12' });
    const none = await cli(r, 'blocks', 'extend', '198.51.100.1', '--ttl', '60', '--why', 'x', '--ticket', 'y');
    expect(none.code).toBe(2);
    expect(none.err.join('\n')).toMatch(/404 198\.51\.100\.1 has no live block/);
  });

  it('allowlists a range: its live blocks are lifted and later blocks refused, until the entry is removed', async () => {
    expect((await cli(r, 'allowlist', 'add', '203.0.113.0/24', '--why', 'customer office', '--ticket', 'NOC-815')).code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'blocks', 'list')).out[0]).toBe('no live blocks');
    expect((await cli(r, 'allowlist', 'list')).out[0]).toMatch(/^203\.0\.113\.0\/24 +permanent +.* NOC-815: customer office/);
    const again = decision('flood-2', 'block', 'firewall', '203.0.113.51', { '@timestamp': now(), mode: 'dry-run' });
    await (await r.bus.producer()).send(r.rt.topics.name('decisions.v1'), [encode(again.target.value, again)]);
    await r.bus.drained();
    expect(r.audit.find((e) => e.ref?.id === 'flood-2')?.result).toMatch(/^refused by guardrail allowlist: .*ticket NOC-815/);

    expect((await cli(r, 'allowlist', 'remove', '203.0.113.0/24', '--why', 'office moved', '--ticket', 'NOC-901')).code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'allowlist', 'list')).out[0]).toBe('no operator allowlist entries');
  });

  it('refuses a change without why and ticket, a bad target, and a missing or wrong token', async () => {
    const bare = await cli(r, 'blocks', 'unblock', '203.0.113.50');
    expect(bare.code).toBe(2);
    expect(bare.err.join('\n')).toMatch(/--why TEXT and --ticket REF/);
    const bad = await cli(r, 'blocks', 'unblock', '203.0.113.500', '--why', 'x', '--ticket', 'y');
    expect(bad.err.join('\n')).toMatch(/400 not an address, CIDR or account:NAME/);
    const anon = await runCli(['blocks', 'list', '--api', r.api.url], { env: {} });
    expect(anon.code).toBe(2);
    expect(anon.err.join('\n')).toMatch(/refused the token/);
    expect((await fetch(`${r.api.url}/v1/blocks`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect(r.decisions.filter((d) => d.origin.type === 'operator')).toEqual([]);
  });

  it('will not listen beyond loopback without a token', async () => {
    await expect(startOperatorApi({ listen: '0.0.0.0:0', enforcer: {} as Enforcer, producer: await r.bus.producer(), topics: r.rt.topics, clock: r.rt.clock, log: silentLogger })).rejects.toThrow(/not loopback, and no token is set/);
  });
});
