// The verdict service end to end on the in-process bus: state from the topics, both interfaces,
// deny-call decisions, and hostile input that gets a clear refusal and leaves it answering.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../core/config';
import { encode } from '../core/codec';
import { silentLogger } from '../core/ports';
import type { Decision, Finding } from '../core/records';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { createRuntime, type Runtime } from '../runtime/runtime';
import { flowOf } from './fixture';
import { startVerdictService, type VerdictService } from './service';

const TOKEN = 'a-verdict-token-of-32-characters';

function config(): CallsentryConfig {
  const cfg = structuredClone(DEFAULT_CONFIG);
  cfg.metrics.listen = null;
  cfg.verdicts = { ...cfg.verdicts, http_listen: '127.0.0.1:0', sip_listen: '127.0.0.1:0', home_country: 'US', accounts: { lobby: { class: 'local' } } };
  return cfg;
}

let rt: Runtime;
let bus: MemoryBus;
let svc: VerdictService;

beforeEach(async () => {
  bus = new MemoryBus();
  rt = createRuntime(config(), { bus, log: silentLogger });
  svc = await startVerdictService(rt, { env: {} });
});

afterEach(async () => {
  await svc.stop();
  await bus.close();
});

async function post(body: unknown, headers: Record<string, string> = {}, s = svc): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.http!.url}/v1/verdict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const call = (over: Record<string, unknown> = {}) => ({ source_ip: '192.0.2.10', account: '105', from: 'sip:105@pbx', to: '+442079460000', call_id: 'c1', ...over });

async function flag(account: string): Promise<Finding> {
  const f = {
    '@timestamp': new Date().toISOString(),
    last_seen: new Date().toISOString(),
    event: { id: `f-${account}`, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: 'fraud/high-cost-destination', name: 'Calls to high-cost destinations', category: 'fraud' },
    severity: 'high',
    key: { type: 'account', value: account },
  } as unknown as Finding;
  const p = await bus.producer();
  await p.send(rt.topics.name('findings.v1'), [encode(account, f)]);
  await bus.drained();
  return f;
}

function sipText(method: string, ruri: string, extra: string[] = [], callId = 'sip-call-1'): string {
  return [
    `${method} ${ruri} SIP/2.0`,
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-edge-1',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-phone-1;received=192.0.2.10',
    'From: <sip:105@pbx>;tag=abc',
    `To: <${ruri}>`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function udpAsk(port: number, text: string | Buffer, waitMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, waitMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString('utf8'));
    });
    s.send(text, port, '127.0.0.1');
  });
}

function tcpAsk(port: number, text: string | Buffer): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    s.on('data', (d) => {
      data += d.toString('utf8');
      if (/\r\n\r\n/.test(data)) setTimeout(() => s.destroy(), 50);
    });
    s.on('end', () => (closed = true));
    s.on('close', () => resolve({ data, closed }));
    s.on('error', () => undefined);
    s.write(text);
    setTimeout(() => s.destroy(), 1000);
  });
}

describe('HTTP POST /v1/verdict', () => {
  it('allows a clean call, denies a flagged account naming the finding, and refuses a local-only class calling abroad', async () => {
    const ok = await post(call());
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ verdict: 'allow', reason: 'no rule objected', rule: 'allow', finding_ids: [], ttl_seconds: 5 });

    await flag('105');
    const denied = await post(call({ call_id: 'c2' }));
    expect(denied.json).toMatchObject({ verdict: 'deny', rule: 'verdict/suspended-account', finding_ids: ['f-105'] });
    expect(denied.json.reason).toContain('fraud/high-cost-destination');

    const cos = await post(call({ account: 'lobby', call_id: 'c3' }));
    expect(cos.json).toMatchObject({ verdict: 'deny', rule: 'verdict/class-of-service' });
  });

  it('writes one deny-call decision per account per window for a burst of denied calls, and counts the rest in the audit trail', async () => {
    await flag('105');
    for (let i = 0; i < 25; i++) expect((await post(call({ call_id: `burst-${i}` }))).json.verdict).toBe('deny');
    await bus.drained();
    const decisions = bus.read(rt.topics.name('decisions.v1')).map((m) => JSON.parse(m.value!.toString()) as Decision);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: 'deny-call', target: { type: 'account', value: '105' }, scope: 'proxy', finding_ids: ['f-105'], origin: { type: 'verdict', id: 'verdict/suspended-account' } });
    svc.deny.sweep(Number.POSITIVE_INFINITY);
    await new Promise((r) => setTimeout(r, 20));
    const audit = bus.read(rt.topics.name('audit.v1')).map((m) => JSON.parse(m.value!.toString()));
    expect(audit.filter((e) => e.outcome === 'counted').map((e) => e.result)).toEqual([expect.stringContaining('25 calls denied')]);
  });

  it.each([
    ['a missing field', call({ to: undefined }), 400, /to is required/],
    ['an unknown field', { ...call(), pin: '1234' }, 400, /unknown field "pin"/],
    ['a source that is no address', call({ source_ip: 'evil' }), 400, /source_ip must be an IPv4 or IPv6 address/],
    ['a number where a string belongs', call({ account: 105 }), 400, /account must be a string/],
    ['a body that is not JSON', '{"source_ip":', 400, /not valid JSON/],
    ['an array', '[1,2]', 400, /must be a JSON object/],
    ['an oversized body', JSON.stringify({ ...call(), from: 'x'.repeat(20_000) }), 413, /over 8192 bytes/],
  ])('refuses %s with a clear error, and keeps answering', async (_what, body, status, why) => {
    const r = await post(body);
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(why);
    expect((await post(call())).json.verdict).toBe('allow');
  });

  it('refuses other content types, methods and paths', async () => {
    const text = await fetch(`${svc.http!.url}/v1/verdict`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(call()) });
    expect(text.status).toBe(415);
    expect((await fetch(`${svc.http!.url}/v1/verdict`)).status).toBe(405);
    expect((await fetch(`${svc.http!.url}/nope`)).status).toBe(404);
    const health = await fetch(`${svc.http!.url}/v1/health`);
    expect(await health.json()).toMatchObject({ ok: true, mode: 'enforce' });
  });

  it('with a token, refuses a request without it or with a wrong one (401)', async () => {
    const guarded = await startVerdictService(createRuntime(config(), { bus, log: silentLogger }), { env: { CALLSENTRY_VERDICT_TOKEN: TOKEN }, consume: false });
    try {
      expect((await post(call(), {}, guarded)).status).toBe(401);
      const wrong = await post(call(), { authorization: 'Bearer not-the-token-at-all' }, guarded);
      expect(wrong).toEqual({ status: 401, json: { error: expect.stringMatching(/bearer token/) } });
      expect((await post(call(), { authorization: `Bearer ${TOKEN}` }, guarded)).json.verdict).toBe('allow');
    } finally {
      await guarded.stop();
    }
  });

  it('answers a bounded flood of queries, every one, and stays up', async () => {
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => post(call({ call_id: `flood-${i}` }))));
    expect(answers.every((a) => a.status === 200 && a.json.verdict === 'allow')).toBe(true);
  });

  it('will not listen beyond loopback without a token', async () => {
    const cfg = config();
    cfg.verdicts.http_listen = '0.0.0.0:0';
    await expect(startVerdictService(createRuntime(cfg, { bus, log: silentLogger }), { env: {}, consume: false })).rejects.toThrow(/not a loopback address: set a bearer token in the variable CALLSENTRY_VERDICT_TOKEN/);
  });
});

describe('call ledgers', () => {
  it('are swept on a timer: an account silent for longer than the baseline days is forgotten, and the ledger gauge says so', async () => {
    const p = await bus.producer();
    const day = 86_400_000;
    const flows = [
      flowOf({ at: new Date(Date.now() - 9 * day).toISOString(), account: 'silent', method: 'INVITE', status: 486, to: '+12125550100', call_id: 's1' }, 1),
      flowOf({ at: new Date().toISOString(), account: 'busy', method: 'INVITE', status: 486, to: '+12125550100', call_id: 'b1' }, 2),
    ];
    // one partition key, so the busy account's record moves the silent one's partition on
    await p.send(rt.topics.name('flows.sip.by-account.v1'), flows.map((f) => encode('same-key', f)));
    await bus.drained();
    expect(svc.state.ledgerCount).toBe(2);
    await new Promise((r) => setTimeout(r, 1300));
    expect(svc.state.ledgerCount).toBe(1);
    expect(await rt.metrics.gauge('callsentry_verdict_ledgers', '').get()).toBe(1);
  });
});

describe('SIP redirect server', () => {
  it('answers an INVITE 302 with the request-URI as Contact; once the account is flagged, 603 Decline with a Reason', async () => {
    const invite = sipText('INVITE', 'sip:+442079460000@carrier.example', ['X-Callsentry-Account: 105']);
    const proceed = await udpAsk(svc.sip!.port, invite);
    expect(proceed).toMatch(/^SIP\/2\.0 302 Moved Temporarily\r\n/);
    expect(proceed).toContain('Contact: <sip:+442079460000@carrier.example>');
    expect(proceed).toContain('Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-edge-1\r\nVia: SIP/2.0/UDP 192.0.2.10:5062');
    expect(proceed).toMatch(/To: <sip:\+442079460000@carrier.example>;tag=cs\w+/);

    await flag('105');
    const declined = await udpAsk(svc.sip!.port, sipText('INVITE', 'sip:+442079460000@carrier.example', ['X-Callsentry-Account: 105'], 'sip-call-2'));
    expect(declined).toMatch(/^SIP\/2\.0 603 Decline\r\n/);
    expect(declined).toMatch(/Reason: SIP ;cause=603 ;text="verdict\/suspended-account: account 105 is suspended/);
  });

  it('takes the caller from the bottom Via when the proxy adds no header, and judges blocks on it', async () => {
    const d: Decision = {
      '@timestamp': new Date().toISOString(),
      event: { id: 'd1', kind: 'event', dataset: 'callsentry.decision' },
      id: 'd1', action: 'block', target: { type: 'ip', value: '192.0.2.10' }, scope: 'firewall', ttl_seconds: 600, reason: 'sip/digest-bruteforce', finding_ids: ['fb'], origin: { type: 'detector', id: 'sip/digest-bruteforce' }, mode: 'enforce',
    };
    await (await bus.producer()).send(rt.topics.name('decisions.v1'), [encode('192.0.2.10', d)]);
    await bus.drained();
    expect(await udpAsk(svc.sip!.port, sipText('INVITE', 'sip:2125550100@pbx'))).toMatch(/^SIP\/2\.0 603 Decline[\s\S]*verdict\/blocked-source/);
  });

  it('answers OPTIONS 200, REGISTER 405 with Allow, CANCEL 481, and absorbs ACK', async () => {
    expect(await udpAsk(svc.sip!.port, sipText('OPTIONS', 'sip:verdict@127.0.0.1'))).toMatch(/^SIP\/2\.0 200 OK\r\n[\s\S]*Allow: INVITE, ACK, CANCEL, OPTIONS/);
    expect(await udpAsk(svc.sip!.port, sipText('REGISTER', 'sip:pbx'))).toMatch(/^SIP\/2\.0 405 Method Not Allowed\r\n[\s\S]*Allow: /);
    expect(await udpAsk(svc.sip!.port, sipText('CANCEL', 'sip:2125550100@pbx'))).toMatch(/^SIP\/2\.0 481 /);
    expect(await udpAsk(svc.sip!.port, sipText('ACK', 'sip:2125550100@pbx'), 300)).toBeUndefined();
  });

  it('drops malformed datagrams (counted) and keeps answering', async () => {
    for (const junk of [Buffer.from('garbage\r\n\r\n'), Buffer.alloc(9000, 0x41), Buffer.from('INVITE sip:x SIP/2.0\r\nVia: broken\r\n\r\n'), Buffer.from([0, 1, 2, 255, 254])]) {
      expect(await udpAsk(svc.sip!.port, junk, 100)).toBeUndefined();
    }
    expect(await rt.metrics.counter('callsentry_verdict_refused_total', '').get({ interface: 'sip', reason: 'malformed' })).toBe(4);
    expect(await udpAsk(svc.sip!.port, sipText('OPTIONS', 'sip:verdict@127.0.0.1'))).toMatch(/^SIP\/2\.0 200 OK/);
  });

  it('answers over TCP, and closes a connection that sends garbage with 400', async () => {
    const r = await tcpAsk(svc.sip!.port, sipText('INVITE', 'sip:+442079460000@carrier.example').replace(/UDP 10.0.0.1/, 'TCP 10.0.0.1'));
    expect(r.data).toMatch(/^SIP\/2\.0 302 /);
    const bad = await tcpAsk(svc.sip!.port, 'HELLO\r\n\r\n');
    expect(bad.data).toMatch(/^SIP\/2\.0 400 Bad Request/);
    expect(bad.closed).toBe(true);
    expect((await tcpAsk(svc.sip!.port, sipText('OPTIONS', 'sip:verdict@127.0.0.1'))).data).toMatch(/^SIP\/2\.0 200 OK/);
  });
});
