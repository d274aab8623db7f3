import { validateSipEvidence } from '../../core/validate';
import { flowId } from '../sip/flow-record';
import { parseSipMessage } from '../sip/parse-message';
import { sipBytes } from '../sip/test-support/sip-builder';
import type { PacketMeta } from '../sip/transactions';
import { EvidenceSampler, type EvidenceOptions } from './sampler';

const PBX = { ip: '198.51.100.10', port: 5060 };

function request(callId: string, src: string, opts: { method?: string; auth?: string; branch?: string; extra?: string[] } = {}): Buffer {
  const method = opts.method ?? 'REGISTER';
  return sipBytes(`${method} sip:pbx.example.com SIP/2.0`, [
    `Via: SIP/2.0/UDP ${src}:5060;branch=${opts.branch ?? `z9hG4bK-${callId}`}`,
    'From: <sip:1001@pbx.example.com>;tag=a',
    'To: <sip:1001@pbx.example.com>',
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    ...(opts.auth ? [`Authorization: Digest username="${opts.auth}", realm="pbx", nonce="n", uri="sip:pbx.example.com", response="0123456789abcdef0123456789abcdef"`] : []),
    ...(opts.extra ?? []),
  ]);
}

function response(callId: string, src: string, status = 401): Buffer {
  return sipBytes(`SIP/2.0 ${status} Unauthorized`, [`Via: SIP/2.0/UDP ${src}:5060;branch=z9hG4bK-${callId}`, 'From: <sip:1001@pbx.example.com>;tag=a', 'To: <sip:1001@pbx.example.com>;tag=b', `Call-ID: ${callId}`, 'CSeq: 1 REGISTER']);
}

function offer(s: EvidenceSampler, bytes: Buffer, timeMs: number, src: string, toServer = true) {
  const r = parseSipMessage(bytes);
  if (!r.ok) throw new Error(r.reason);
  const client = { ip: src, port: 5060 };
  const meta: PacketMeta = { timeMs, src: toServer ? client : PBX, dst: toServer ? PBX : client, transport: 'udp' };
  return s.offer(r.message, bytes, meta);
}

const sampler = (o: Partial<EvidenceOptions> = {}) => new EvidenceSampler({ capture: 'pcap', callsPerKey: 2, ...o });

describe('EvidenceSampler', () => {
  it('follows the first calls of a key in both directions, and no more calls of that key in the window', () => {
    const s = sampler();
    const src = '203.0.113.5';
    const kept = [
      offer(s, request('c1', src), 0, src),
      offer(s, response('c1', src), 5, src, false),
      offer(s, request('c2', src), 10, src),
      offer(s, request('c3', src), 20, src), // a third call: the key has had its two
      offer(s, response('c3', src), 25, src, false),
    ];
    expect(kept.map((e) => e?.sip.call_id)).toEqual(['c1', 'c1', 'c2', undefined, undefined]);
    expect(kept[1]!.sip.status).toBe(401);
    expect(kept[1]!.source).toEqual(PBX);
    for (const e of kept.filter(Boolean)) expect(validateSipEvidence(e)).toBe(true);
  });

  it('samples the key again in its next window', () => {
    const s = sampler({ callsPerKey: 1, windowMs: 1000 });
    const src = '203.0.113.5';
    expect(offer(s, request('c1', src), 0, src)).toBeDefined();
    expect(offer(s, request('c2', src), 500, src)).toBeUndefined();
    expect(offer(s, request('c3', src), 1000, src)?.sip.call_id).toBe('c3');
  });

  it('keys a call by its source and by the account it authenticates as', () => {
    const s = sampler({ callsPerKey: 1 });
    const e = offer(s, request('c1', '203.0.113.5', { auth: '1001' }), 0, '203.0.113.5')!;
    expect(e.evidence.keys).toEqual(['ip:203.0.113.5', 'account:1001']);
    // the account has had its call; another source attacking it is still sampled for its own key
    expect(offer(s, request('c2', '203.0.113.6', { auth: '1001' }), 1, '203.0.113.6')!.evidence.keys).toEqual(['ip:203.0.113.6']);
  });

  it('names the flow (transaction) each message belongs to, for requests and their responses alike', () => {
    const s = sampler();
    const src = '203.0.113.5';
    const req = offer(s, request('c1', src), 0, src)!;
    const resp = offer(s, response('c1', src), 1, src, false)!;
    const expected = flowId({ callId: 'c1', branch: 'z9hG4bK-c1', cseq: 1, method: 'REGISTER', src: { ip: src, port: 5060 } });
    expect(req.sip.flow_id).toBe(expected);
    expect(resp.sip.flow_id).toBe(expected);
  });

  it('masks the digest response, cuts long messages at the byte limit and says so', () => {
    const s = sampler({ maxMessageBytes: 300 });
    const e = offer(s, request('c1', '203.0.113.5', { auth: '1001', extra: [`X-Pad: ${'p'.repeat(500)}`] }), 0, '203.0.113.5')!;
    expect(e.evidence.message).not.toContain('0123456789abcdef');
    expect(e.evidence.redacted).toEqual(['authorization.response']);
    expect(Buffer.byteLength(e.evidence.message, 'latin1')).toBe(300);
    expect(e.evidence.truncated).toBe(true);
    expect(e.evidence.length).toBeGreaterThan(800);
  });

  it('keeps at most maxMessagesPerCall messages of one call', () => {
    const s = sampler({ maxMessagesPerCall: 3 });
    const src = '203.0.113.5';
    const kept = [0, 1, 2, 3, 4].map((i) => offer(s, request('c1', src, { branch: `z9hG4bK-${i}` }), i, src));
    expect(kept.filter(Boolean)).toHaveLength(3);
    expect(s.stats.overCallLimit).toBe(2);
  });

  it('stays bounded under a flood of spoofed sources: keys capped, records capped per second of event time', () => {
    const s = sampler({ maxKeys: 100, maxRecordsPerSecond: 50 });
    let records = 0;
    for (let i = 0; i < 20_000; i++) {
      const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      if (offer(s, request(`flood-${i}`, src), Math.floor(i / 10), src)) records++; // 10 new sources per ms: 2 s of event time
    }
    expect(s.sizes.keys).toBeLessThanOrEqual(100);
    expect(s.sizes.calls).toBeLessThanOrEqual(200);
    expect(records).toBeLessThanOrEqual(50 * 3); // a burst of one second, then 50 per second over 2 s
    expect(s.stats.overRate).toBe(20_000 - records);
  });

  it('does not start following a call on a response or an ACK', () => {
    const s = sampler();
    expect(offer(s, response('c9', '203.0.113.5'), 0, '203.0.113.5', false)).toBeUndefined();
    expect(offer(s, request('c9', '203.0.113.5', { method: 'ACK' }), 1, '203.0.113.5')).toBeUndefined();
  });
});
