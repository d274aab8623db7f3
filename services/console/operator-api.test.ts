import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
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
import { serveOperatorApi } from './serve';
import { ApiClient } from './api-client';
import { consoleRoutes } from './console-routes';
import type { HealthMonitor } from './health';
import type { LiveState } from './live-state';
import { clientApiToken, ensureApiToken } from './api-token';
import { decision } from '../enforcer/test-decisions';

interface Rig {
  rt: Runtime;
  bus: MemoryBus;
  api: OperatorApi;
  audit: AuditEvent[];
  decisions: Decision[];
  stop(): Promise<void>;
}

/** The API as `callsentry start` serves it: the token made in a file of its own at the first start. */
async function rig(): Promise<Rig & { tokenFile: string; token: string }> {
  const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
  cfg.api.listen = '127.0.0.1:0';
  const tokenFile = path.join(mkdtempSync(path.join(tmpdir(), 'callsentry-api-')), 'state', 'api-token');
  const bus = new MemoryBus();
  const rt = createRuntime(cfg, { bus, log: silentLogger });
  await ensureTopics(rt);
  let enforcer: Enforcer | undefined;
  const subs = await startEnforce(rt, { onEnforcer: (e) => (enforcer = e) });
  const api = (await serveOperatorApi(rt, enforcer!, { CALLSENTRY_API_TOKEN_FILE: tokenFile }))!;
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
    tokenFile,
    token: clientApiToken(cfg, { CALLSENTRY_API_TOKEN_FILE: tokenFile })!,
    stop: async () => {
      await api.close();
      for (const s of subs) await s.stop();
      await bus.close();
    },
  };
}

const now = () => new Date().toISOString();
// the commands find the token in the file by themselves
const cli = (r: { api: OperatorApi; tokenFile: string }, ...argv: string[]) => runCli([...argv, '--api', r.api.url], { env: { CALLSENTRY_API_TOKEN_FILE: r.tokenFile } });
const me = userInfo().username;

describe('operator API and commands', () => {
  let r: Awaited<ReturnType<typeof rig>>;
  beforeEach(async () => {
    r = await rig();
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

    const un = await cli(r, 'blocks', 'unblock', '203.0.113.50', '--why', 'customer PBX, false positive', '--ticket', 'NOC-4711');
    expect(un.code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'blocks', 'list')).out).toEqual(['no live blocks']);

    const op = r.decisions.find((d) => d.action === 'unblock')!;
    expect(validateDecision(op)).toBe(true);
    // an operator's decision has the deployment's mode (dry-run by default), and says what became of it
    expect(op.mode).toBe('dry-run');
    expect(un.out[0]).toMatch(/^unblock of 203\.0\.113\.50: dry-run\(removed\) unblock ip=203\.0\.113\.50 at firewall; decision [\w-]+ \(audited\)$/);
    // who: the login name of the person running the command
    expect(op).toMatchObject({ origin: { type: 'operator', id: me }, operator: { who: me, why: 'customer PBX, false positive', ticket: 'NOC-4711' } });
    expect(r.audit.every((e) => validateAuditEvent(e))).toBe(true);
    expect(r.audit.find((e) => e.actor.type === 'operator')).toMatchObject({ actor: { id: me }, what: 'unblock ip=203.0.113.50 at firewall', why: 'customer PBX, false positive', ticket: 'NOC-4711', result: 'requested' });
    expect(r.audit.find((e) => e.ref?.id === op.id && e.actor.type === 'enforcer')).toMatchObject({ result: expect.stringMatching(/^removed: dry-run/), ticket: 'NOC-4711' });
  });

  it('extends a live block, and says so when there is none', async () => {
    const ext = await cli(r, 'blocks', 'extend', '203.0.113.50', '--ttl', '86400', '--why', 'repeat offender', '--ticket', 'SEC-12');
    expect(ext.code).toBe(0);
    await r.bus.drained();
    const { blocks: [b] } = (await (await fetch(`${r.api.url}/v1/blocks`, { headers: { authorization: `Bearer ${r.token}` } })).json()) as { blocks: Array<{ expires_at: string; reason: string; findingIds: string[]; notes: object[] }> };
    expect(Date.parse(b.expires_at) - Date.now()).toBeGreaterThan(86_000_000);
    // the block keeps what it is for: the detector's reason and evidence, with the operator's note beside them
    expect(b.reason).toBe('sip/request-flood: 150 INVITE in 10s');
    expect(b.notes).toEqual([expect.objectContaining({ who: me, why: 'repeat offender', ticket: 'SEC-12', ttl_seconds: 86_400 })]);
    expect((await cli(r, 'blocks', 'list')).out[0]).toMatch(/sip\/request-flood: 150 INVITE in 10s \(extended by \S+, SEC-12: repeat offender\)$/);
    expect(ext.out[0]).toMatch(/^extend of 203\.0\.113\.50: dry-run\(renewed\) block ip=203\.0\.113\.50 at firewall for 864\d\ds/);
    const none = await cli(r, 'blocks', 'extend', '198.51.100.1', '--ttl', '60', '--why', 'x', '--ticket', 'y');
    expect(none.code).toBe(1);
    expect(none.err.join('\n')).toMatch(/198\.51\.100\.1 has no live block .*\[NOT_FOUND\]/);
  });

  it('allowlists a range: its live blocks are lifted and later blocks refused, until the entry is removed', async () => {
    expect((await cli(r, 'allowlist', 'add', '203.0.113.0/24', '--why', 'customer office', '--ticket', 'NOC-815')).code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'blocks', 'list')).out[0]).toBe('no live blocks');
    // the enforcer's word on the entry (the console shows it as the request's result)
    expect(r.audit.find((e) => e.actor.type === 'enforcer' && e.ref?.kind === 'allowlist')).toMatchObject({ what: 'allowlist-add cidr=203.0.113.0/24 at all-scopes', outcome: 'applied', result: 'applied: in force, 1 live block(s) inside lifted', ticket: 'NOC-815' });
    expect((await cli(r, 'allowlist', 'list')).out[0]).toMatch(/^203\.0\.113\.0\/24 +permanent +.* NOC-815: customer office/);
    const again = decision('flood-2', 'block', 'firewall', '203.0.113.51', { '@timestamp': now(), mode: 'dry-run' });
    await (await r.bus.producer()).send(r.rt.topics.name('decisions.v1'), [encode(again.target.value, again)]);
    await r.bus.drained();
    expect(r.audit.find((e) => e.ref?.id === 'flood-2')?.result).toMatch(/^refused by guardrail allowlist: .*ticket NOC-815/);

    expect((await cli(r, 'allowlist', 'remove', '203.0.113.0/24', '--why', 'office moved', '--ticket', 'NOC-901')).code).toBe(0);
    await r.bus.drained();
    expect((await cli(r, 'allowlist', 'list')).out[0]).toBe('no operator allowlist entries');
  });

  it('says so, and exits non-zero, when an unblock or an allowlist removal names nothing there', async () => {
    const un = await cli(r, 'blocks', 'unblock', '198.51.100.9', '--why', 'x', '--ticket', 'y');
    expect([un.code, un.out, un.err.join('\n')]).toEqual([1, [], expect.stringMatching(/198\.51\.100\.9 is not blocked or limited at firewall: nothing to unblock/)]);
    const rm = await cli(r, 'allowlist', 'remove', '198.51.100.0/24', '--why', 'x', '--ticket', 'y');
    expect([rm.code, rm.out, rm.err.join('\n')]).toEqual([1, [], expect.stringMatching(/198\.51\.100\.0\/24 is not an operator allowlist entry: nothing to remove/)]);
    await r.bus.drained();
    expect(r.decisions.filter((d) => d.origin.type === 'operator')).toEqual([]);
    expect(r.audit.filter((e) => e.actor.type === 'operator')).toEqual([]);
  });

  it('refuses a change without why and ticket, a bad target, and a missing or wrong token', async () => {
    const bare = await cli(r, 'blocks', 'unblock', '203.0.113.50');
    expect(bare.code).toBe(2);
    expect(bare.err.join('\n')).toMatch(/--why TEXT and --ticket REF/);
    const bad = await cli(r, 'blocks', 'unblock', '203.0.113.500', '--why', 'x', '--ticket', 'y');
    expect(bad.err.join('\n')).toMatch(/400 not an address, CIDR or account:NAME/);
    const anon = await runCli(['blocks', 'list', '--api', r.api.url], { env: { CALLSENTRY_API_TOKEN: 'someone-elses-token-0123' } });
    expect(anon.code).toBe(2);
    expect(anon.err.join('\n')).toMatch(/refused the token/);
    expect((await fetch(`${r.api.url}/v1/blocks`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect(r.decisions.filter((d) => d.origin.type === 'operator')).toEqual([]);
  });

  it('needs the token on loopback too: no token, no answer', async () => {
    for (const [method, url] of [['GET', '/v1/blocks'], ['GET', '/v1/allowlist'], ['GET', '/v1/health'], ['POST', '/v1/allowlist'], ['POST', '/v1/blocks/unblock'], ['GET', '/v1/nothing']]) {
      const res = await fetch(`${r.api.url}${url}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' && { body: JSON.stringify({ cidr: '0.0.0.0/0', target: '203.0.113.50', who: 'ana', why: 'x', ticket: 'y' }) }) });
      expect([method, url, res.status]).toEqual([method, url, 401]);
    }
    await expect(startOperatorApi({ listen: '127.0.0.1:0', token: '', enforcer: {} as Enforcer, producer: await r.bus.producer(), topics: r.rt.topics, clock: r.rt.clock, log: silentLogger })).rejects.toThrow(/needs a token/);
  });

  it("refuses what a web page could send across origins: a text/plain or form body, even one carrying the token", async () => {
    // what a page can POST to 127.0.0.1 without a CORS preflight
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
      const res = await fetch(`${r.api.url}/v1/allowlist`, { method: 'POST', headers: { authorization: `Bearer ${r.token}`, 'content-type': type }, body: JSON.stringify({ cidr: '0.0.0.0/0', why: 'x', ticket: 'y', force: true }) });
      expect([type, res.status]).toEqual([type, 415]);
    }
    await r.bus.drained();
    expect(r.audit.filter((e) => e.actor.type === 'operator')).toEqual([]);
  });

  it('records who from the credential: the person the token holder names, never a who in the body', async () => {
    const again = decision('flood-3', 'block', 'firewall', '203.0.113.52', { '@timestamp': now(), mode: 'dry-run' });
    await (await r.bus.producer()).send(r.rt.topics.name('decisions.v1'), [encode(again.target.value, again)]);
    await r.bus.drained();
    const post = (headers: Record<string, string>, target = '203.0.113.50') =>
      fetch(`${r.api.url}/v1/blocks/unblock`, { method: 'POST', headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify({ target, who: 'mallory', why: 'x', ticket: 'T-1' }) });
    expect((await post({ 'x-callsentry-on-behalf-of': 'ana' })).status).toBe(200);
    expect((await post({}, '203.0.113.52')).status).toBe(200);
    expect((await post({ 'x-callsentry-on-behalf-of': 'ana\u0085x' })).status).toBe(400);
    expect((await post({ 'x-callsentry-on-behalf-of': 'x'.repeat(65) })).status).toBe(400);
    await r.bus.drained();
    const who = r.decisions.filter((d) => d.origin.type === 'operator').map((d) => d.operator!.who);
    expect(who).toEqual(['ana', 'api-token']);
    expect(r.audit.filter((e) => e.actor.type === 'operator').map((e) => e.actor.id)).toEqual(['ana', 'api-token']);
  });

  it('makes the token once, in a file only its owner may read, and refuses one that others may read', async () => {
    expect(statSync(r.tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(r.tokenFile)).mode & 0o777).toBe(0o700);
    expect(r.token).toMatch(/^[\w-]{43}$/);
    const cfg = structuredClone(DEFAULT_CONFIG);
    // the next start keeps it
    expect(ensureApiToken(cfg, { CALLSENTRY_API_TOKEN_FILE: r.tokenFile })).toBe(r.token);
    const loose = path.join(path.dirname(r.tokenFile), 'loose-token');
    writeFileSync(loose, 'a-token-of-enough-length\n');
    chmodSync(loose, 0o644);
    expect(() => clientApiToken(cfg, { CALLSENTRY_API_TOKEN_FILE: loose })).toThrow(/may be read by others \(mode 644\); run chmod 600/);
    expect(() => ensureApiToken(cfg, { CALLSENTRY_API_TOKEN_FILE: loose })).toThrow(/may be read by others/);
    const res = await runCli(['blocks', 'list', '--api', r.api.url], { env: { CALLSENTRY_API_TOKEN_FILE: loose } });
    expect([res.code, res.err.join('\n')]).toEqual([1, expect.stringMatching(/chmod 600/)]);
  });

  it("answers the console's page 502, not 401 (which would log the user out), when the API refuses the console's token", async () => {
    const routes = consoleRoutes({ state: {} as LiveState, health: {} as HealthMonitor, operator: new ApiClient(r.api.url, 'not-the-token-0123456789'), now: Date.now, log: silentLogger });
    const answer = await routes['GET /api/allowlist']!.handle({ caller: { user: { name: 'ana', role: 'admin' } }, body: {}, query: new URLSearchParams(), req: {} as never, res: {} as never });
    expect(answer).toMatchObject({ status: 502, json: { error: expect.stringMatching(/refused the console's token/) } });
  });

  it('takes --api as HOST:PORT without a scheme, and says what it expects otherwise', async () => {
    const hostPort = r.api.url.replace(/^http:\/\//, '');
    const ok = await cli({ ...r, api: { ...r.api, url: hostPort } }, 'blocks', 'list');
    expect(ok.code).toBe(0);
    expect(ok.out[0]).toMatch(/^block\s+ip=203\.0\.113\.50/);
    for (const bad of ['127.0.0.1', 'ftp://127.0.0.1:9470', '127.0.0.1:99999', 'http//127.0.0.1:9470']) {
      const res = await runCli(['blocks', 'list', '--api', bad], { env: { CALLSENTRY_API_TOKEN_FILE: r.tokenFile } });
      expect([bad, res.code, res.err.join('\n')]).toEqual([bad, 2, expect.stringContaining(`--api takes the operator API's URL (http://127.0.0.1:9470) or HOST:PORT (127.0.0.1:9470), got '${bad}'`)]);
    }
  });

  it('refuses an allowlist range wider than /8 (IPv4) or /32 (IPv6) without --force, and stores ranges with host bits cleared', async () => {
    for (const wide of ['0.0.0.0/0', '10.0.0.0/7', '::/0', '2001:db8::/31']) {
      const res = await cli(r, 'allowlist', 'add', wide, '--why', 'x', '--ticket', 'T-2');
      expect([wide, res.code, res.err.join('\n')]).toEqual([wide, 2, expect.stringMatching(/400 .* is wider than \/(8|32) \(api\.allowlist_min_prefix\.ipv[46]\).*--force/)]);
    }
    const viaApi = await fetch(`${r.api.url}/v1/allowlist`, { method: 'POST', headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ cidr: '0.0.0.0/0', why: 'x', ticket: 'T-2' }) });
    expect(viaApi.status).toBe(400);
    await r.bus.drained();
    expect((await cli(r, 'allowlist', 'list')).out).toEqual(['no operator allowlist entries']);

    const normal = await cli(r, 'allowlist', 'add', '10.1.2.3/8', '--why', 'own network', '--ticket', 'T-3');
    expect(normal.out).toEqual(['allowlist add 10.0.0.0/8 requested (audited)']);
    expect((await cli(r, 'allowlist', 'add', '2001:DB8:AB::1/32', '--why', 'own v6', '--ticket', 'T-3')).code).toBe(0);
    const forced = await cli(r, 'allowlist', 'add', '0.0.0.0/0', '--force', '--why', 'maintenance window', '--ticket', 'T-4', '--ttl', '600');
    expect(forced.code).toBe(0);
    await r.bus.drained();
    const list = (await cli(r, 'allowlist', 'list')).out;
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^10\.0\.0\.0\/8 +permanent /),
        expect.stringMatching(/^2001:db8::\/32 +permanent /),
        expect.stringMatching(/^0\.0\.0\.0\/0 +until 20\d\d-/),
      ]),
    );
    expect(r.audit.find((e) => e.what.startsWith('add allowlist 0.0.0.0/0'))?.what).toMatch(/until .*, forced past the widest allowed range$/);
    expect(r.audit.find((e) => e.what.startsWith('add allowlist 10.0.0.0/8'))?.what).toBe('add allowlist 10.0.0.0/8 (permanent)');
  });
});
