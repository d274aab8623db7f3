import type { SipFlow, Transport } from '../../core/records';
import { validateSipFlow } from '../../core/validate';
import type { SipMessage } from './sip-message';
import { sip } from './test-support/sip-builder';
import { SipCorrelator, type CorrelatorOptions, type SdpEvent } from './transactions';

const PHONE = '198.51.100.7';
const PBX = '203.0.113.10';
const FORGER = '192.0.2.66';

/** A tiny scripted capture: messages with the time and addresses they travelled with. */
class Wire {
  readonly flows: SipFlow[] = [];
  constructor(readonly correlator: SipCorrelator) {}
  send(timeMs: number, from: string, to: string, msg: SipMessage, transport: Transport = 'udp', ports: { src?: number; dst?: number } = {}): this {
    this.flows.push(...this.correlator.push(msg, { timeMs, src: { ip: from, port: ports.src ?? 5060 }, dst: { ip: to, port: ports.dst ?? 5060 }, transport }));
    return this;
  }
  end(): SipFlow[] {
    this.flows.push(...this.correlator.flush());
    for (const f of this.flows) if (!validateSipFlow(f)) throw new Error(validateSipFlow.lastError());
    return this.flows;
  }
}

const wire = (opts: CorrelatorOptions = {}) => new Wire(new SipCorrelator({ observerId: 'sensor-1', ...opts }));

function dialogHeaders(o: { branch: string; cseq: string; callId?: string; fromTag?: string; toTag?: string; via?: string }): string[] {
  return [
    `Via: SIP/2.0/UDP ${o.via ?? PHONE}:5060;branch=${o.branch}`,
    `From: "Alice" <sip:105@pbx.example>;tag=${o.fromTag ?? 'caller1'}`,
    `To: <sip:0044909876543@pbx.example>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'call-1'}`,
    `CSeq: ${o.cseq}`,
  ];
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\n';

describe('REGISTER with a digest challenge', () => {
  const register = (branch: string, cseq: number, auth?: string) =>
    sip('REGISTER sip:pbx.example SIP/2.0', [
      `Via: SIP/2.0/UDP ${PHONE}:5060;branch=${branch}`,
      'From: <sip:105@pbx.example>;tag=r1',
      'To: <sip:105@pbx.example>',
      'Call-ID: reg-1',
      `CSeq: ${cseq} REGISTER`,
      'User-Agent: Zoiper rv2.10.19.5',
      ...(auth ? [`Authorization: Digest username="105", realm="pbx", nonce="${auth}", uri="sip:pbx.example", response="00ff"`] : []),
    ]);
  const reply = (branch: string, cseq: number, status: string, nonce?: string) =>
    sip(`SIP/2.0 ${status}`, [
      `Via: SIP/2.0/UDP ${PHONE}:5060;branch=${branch}`,
      'From: <sip:105@pbx.example>;tag=r1',
      'To: <sip:105@pbx.example>;tag=srv',
      'Call-ID: reg-1',
      `CSeq: ${cseq} REGISTER`,
      ...(nonce ? [`WWW-Authenticate: Digest realm="pbx", nonce="${nonce}"`] : []),
    ]);

  test('the request answering our nonce from the challenged address is proven', () => {
    const flows = wire()
      .send(1000, PHONE, PBX, register('z9hG4bK-a', 1))
      .send(1004, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'N-1'))
      .send(1010, PHONE, PBX, register('z9hG4bK-b', 2, 'N-1'))
      .send(1013, PBX, PHONE, reply('z9hG4bK-b', 2, '200 OK'))
      .end();
    expect(flows.map((f) => [f.sip.method, f.sip.status, f.sip.source_proven, f.sip.auth_user, f.event.duration])).toEqual([
      ['REGISTER', 401, false, undefined, 4_000_000],
      ['REGISTER', 200, true, '105', 3_000_000],
    ]);
    expect(flows[0]).toMatchObject({
      '@timestamp': '1970-01-01T00:00:01.000Z',
      source: { ip: PHONE, port: 5060 },
      destination: { ip: PBX, port: 5060 },
      network: { transport: 'udp' },
      user_agent: { original: 'Zoiper rv2.10.19.5' },
      observer: { id: 'sensor-1' },
      sip: { call_id: 'reg-1', cseq: 1, request_uri: 'sip:pbx.example', from: { user: '105', domain: 'pbx.example' } },
    });
  });

  test('the same nonce from another address proves nothing', () => {
    const flows = wire()
      .send(1000, PHONE, PBX, register('z9hG4bK-a', 1))
      .send(1004, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'N-1'))
      .send(1010, FORGER, PBX, register('z9hG4bK-b', 2, 'N-1'))
      .end();
    expect(flows.map((f) => f.sip.source_proven)).toEqual([false, false]);
  });

  test('a nonce the server handed to more than one address proves nothing (Kamailio reuses nonces within a second)', () => {
    // the phone is challenged first, then the attacker fetches the same nonce from its own address,
    // then forges the phone's address: neither the forgery nor anybody else is proven by it
    const phoneFirst = wire()
      .send(1000, PHONE, PBX, register('z9hG4bK-a', 1))
      .send(1004, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'shared-1'))
      .send(1100, FORGER, PBX, register('z9hG4bK-f', 1))
      .send(1104, PBX, FORGER, reply('z9hG4bK-f', 1, '401 Unauthorized', 'shared-1'))
      .send(1200, PHONE, PBX, register('z9hG4bK-b', 2, 'shared-1'))
      .send(1210, FORGER, PBX, register('z9hG4bK-g', 2, 'shared-1'))
      .end();
    expect(phoneFirst.filter((f) => f.sip.auth_user).map((f) => [f.source.ip, f.sip.source_proven])).toEqual([
      [PHONE, false],
      [FORGER, false],
    ]);
    // another nonce, the attacker first: the forged request arrives after the phone got it too
    const attackerFirst = wire()
      .send(1000, FORGER, PBX, register('z9hG4bK-f', 1))
      .send(1004, PBX, FORGER, reply('z9hG4bK-f', 1, '401 Unauthorized', 'c2hhcmVkLTI='))
      .send(1100, PHONE, PBX, register('z9hG4bK-a', 1))
      .send(1104, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'c2hhcmVkLTI='))
      .send(1200, PHONE, PBX, register('z9hG4bK-b', 2, 'c2hhcmVkLTI='))
      .end();
    expect(attackerFirst.filter((f) => f.sip.auth_user).map((f) => f.sip.source_proven)).toEqual([false]);
  });

  test('a nonce proves only the address and port it was sent to', () => {
    const flows = wire()
      .send(1000, PHONE, PBX, register('z9hG4bK-a', 1), 'udp', { src: 5062 })
      .send(1004, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'N-port'), 'udp', { dst: 5062 })
      .send(1005, PBX, PHONE, reply('z9hG4bK-a', 1, '401 Unauthorized', 'N-port'), 'udp', { dst: 5062 }) // a retransmission
      .send(1010, PHONE, PBX, register('z9hG4bK-b', 2, 'N-port'), 'udp', { src: 5060 }) // same address, another port
      .send(1020, PHONE, PBX, register('z9hG4bK-c', 3, 'N-port'), 'udp', { src: 5062 })
      .end();
    expect(flows.filter((f) => f.sip.auth_user).map((f) => [f.source.port, f.sip.source_proven])).toEqual([
      [5060, false],
      [5062, true],
    ]);
  });

  test('a nonce never sent proves nothing, and TCP proves by itself', () => {
    const flows = wire()
      .send(1000, PHONE, PBX, register('z9hG4bK-a', 1, 'guessed'))
      .send(1001, PHONE, PBX, register('z9hG4bK-b', 2), 'tcp')
      .end();
    expect(flows.map((f) => [f.sip.source_proven, f.network.transport])).toEqual([
      [false, 'udp'],
      [true, 'tcp'],
    ]);
  });
});

describe('INVITE transactions', () => {
  const invite = (branch: string, cseq = 1, extra: string[] = [], body = '') =>
    sip('INVITE sip:0044909876543@pbx.example SIP/2.0', [...dialogHeaders({ branch, cseq: `${cseq} INVITE` }), ...extra], body);
  const answer = (status: string, branch: string, toTag?: string, cseq = 1, method = 'INVITE') =>
    sip(`SIP/2.0 ${status}`, dialogHeaders({ branch, cseq: `${cseq} ${method}`, ...(toTag && { toTag }) }));
  const ack = (branch: string, toTag: string, cseq = 1) =>
    sip('ACK sip:0044909876543@pbx.example SIP/2.0', dialogHeaders({ branch, cseq: `${cseq} ACK`, toTag }));

  test('407 then an ACK echoing our tag: one INVITE flow, proven; the ACK is part of it', () => {
    const w = wire().send(0, PHONE, PBX, invite('z9hG4bK-1')).send(2, PBX, PHONE, answer('100 Trying', 'z9hG4bK-1'));
    w.send(3, PBX, PHONE, answer('407 Proxy Authentication Required', 'z9hG4bK-1', 'pbx-tag'));
    expect(w.flows).toEqual([]); // waiting for the ACK
    w.send(5, PHONE, PBX, ack('z9hG4bK-1', 'pbx-tag'));
    expect(w.end().map((f) => [f.sip.method, f.sip.status, f.sip.source_proven, f.sip.to?.user])).toEqual([['INVITE', 407, true, '0044909876543']]);
    expect(w.correlator.stats).toMatchObject({ transactions: 1, acksMatched: 1, requestsByMethod: { INVITE: 1, ACK: 1 } });
  });

  test('407 never acknowledged (a forged source): emitted after the ACK wait, unproven', () => {
    const w = wire().send(0, FORGER, PBX, invite('z9hG4bK-1'));
    w.send(3, PBX, FORGER, answer('407 Proxy Authentication Required', 'z9hG4bK-1', 'pbx-tag'));
    w.send(5000, PHONE, PBX, sip('OPTIONS sip:pbx.example SIP/2.0', dialogHeaders({ branch: 'z9hG4bK-o', cseq: '1 OPTIONS', callId: 'o' })));
    expect(w.flows.map((f) => [f.sip.method, f.sip.status, f.sip.source_proven])).toEqual([['INVITE', 407, false]]);
  });

  test('an ACK with a guessed tag does not prove the INVITE', () => {
    const flows = wire()
      .send(0, FORGER, PBX, invite('z9hG4bK-1'))
      .send(3, PBX, FORGER, answer('407 Proxy Authentication Required', 'z9hG4bK-1', 'pbx-tag'))
      .send(5, FORGER, PBX, ack('z9hG4bK-1', 'guess'))
      .end();
    expect(flows.map((f) => f.sip.source_proven)).toEqual([false]);
  });

  test('answered call: INVITE proven by the 2xx ACK, ACK is its own flow, BYE from the callee is proven', () => {
    const flows = wire()
      .send(0, PHONE, PBX, invite('z9hG4bK-1', 1, ['Content-Type: application/sdp'], SDP))
      .send(10, PBX, PHONE, answer('180 Ringing', 'z9hG4bK-1', 'callee'))
      .send(40_000, PBX, PHONE, answer('200 OK', 'z9hG4bK-1', 'callee'))
      .send(40_010, PHONE, PBX, ack('z9hG4bK-2', 'callee'))
      .send(
        90_000,
        PBX,
        PHONE,
        sip('BYE sip:105@198.51.100.7 SIP/2.0', [
          `Via: SIP/2.0/UDP ${PBX};branch=z9hG4bK-bye`,
          'From: <sip:0044909876543@pbx.example>;tag=callee',
          'To: "Alice" <sip:105@pbx.example>;tag=caller1',
          'Call-ID: call-1',
          'CSeq: 7 BYE',
        ]),
      )
      .send(
        90_002,
        PHONE,
        PBX,
        sip('SIP/2.0 200 OK', [
          `Via: SIP/2.0/UDP ${PBX};branch=z9hG4bK-bye`,
          'From: <sip:0044909876543@pbx.example>;tag=callee',
          'To: "Alice" <sip:105@pbx.example>;tag=caller1',
          'Call-ID: call-1',
          'CSeq: 7 BYE',
        ]),
      )
      .end();
    expect(flows.map((f) => [f.sip.method, f.sip.status, f.sip.source_proven, f.event.duration])).toEqual([
      ['INVITE', 200, true, 40_000_000_000], // rang for 40 s: past Timer B, within Timer C
      ['ACK', undefined, true, undefined],
      ['BYE', 200, true, 2_000_000],
    ]);
    expect(flows[0]!.sip.sdp).toEqual({
      connection_ip: PHONE,
      media: [{ type: 'audio', port: 40000, protocol: 'RTP/AVP', codecs: ['PCMA', 'telephone-event'] }],
    });
  });

  test('retransmissions are counted once', () => {
    const w = wire();
    w.send(0, PHONE, PBX, invite('z9hG4bK-1')).send(500, PHONE, PBX, invite('z9hG4bK-1'));
    w.send(600, PBX, PHONE, answer('486 Busy Here', 'z9hG4bK-1', 't')).send(601, PBX, PHONE, answer('486 Busy Here', 'z9hG4bK-1', 't'));
    w.send(610, PHONE, PBX, ack('z9hG4bK-1', 't')).send(1100, PBX, PHONE, answer('486 Busy Here', 'z9hG4bK-1', 't'));
    w.send(1110, PHONE, PBX, ack('z9hG4bK-1', 't'));
    expect(w.end().map((f) => [f.sip.method, f.sip.status])).toEqual([['INVITE', 486]]);
    expect(w.correlator.stats).toMatchObject({ transactions: 1, retransmissions: 4 });
  });

  test('CANCEL is its own transaction; the INVITE ends with 487', () => {
    const flows = wire()
      .send(0, PHONE, PBX, invite('z9hG4bK-1'))
      .send(10, PBX, PHONE, answer('180 Ringing', 'z9hG4bK-1', 't'))
      .send(3000, PHONE, PBX, sip('CANCEL sip:0044909876543@pbx.example SIP/2.0', dialogHeaders({ branch: 'z9hG4bK-1', cseq: '1 CANCEL' })))
      .send(3001, PBX, PHONE, answer('200 OK', 'z9hG4bK-1', 't', 1, 'CANCEL'))
      .send(3002, PBX, PHONE, answer('487 Request Terminated', 'z9hG4bK-1', 't'))
      .send(3003, PHONE, PBX, ack('z9hG4bK-1', 't'))
      .end();
    expect(flows.map((f) => [f.sip.method, f.sip.status, f.sip.source_proven])).toEqual([
      ['CANCEL', 200, false],
      ['INVITE', 487, true],
    ]);
  });

  test('timeouts in event time: Timer B without a provisional, Timer C with one', () => {
    const w = wire();
    w.send(0, PHONE, PBX, invite('z9hG4bK-1'));
    w.send(1, PHONE, PBX, sip('INVITE sip:x@pbx.example SIP/2.0', dialogHeaders({ branch: 'z9hG4bK-2', cseq: '1 INVITE', callId: 'ringing' })));
    w.send(2, PBX, PHONE, sip('SIP/2.0 180 Ringing', dialogHeaders({ branch: 'z9hG4bK-2', cseq: '1 INVITE', callId: 'ringing', toTag: 'r' })));
    w.flows.push(...w.correlator.advance(32_001));
    expect(w.flows.map((f) => [f.sip.call_id, f.sip.status])).toEqual([['call-1', undefined]]);
    w.flows.push(...w.correlator.advance(180_003));
    expect(w.flows.map((f) => [f.sip.call_id, f.sip.status, f.event.duration])).toEqual([
      ['call-1', undefined, undefined],
      ['ringing', undefined, undefined],
    ]);
    expect(w.correlator.stats.timeouts).toBe(2);
  });

  test('SDP offers and answers are reported for media tracking', () => {
    const seen: SdpEvent[] = [];
    wire({ onSdp: (e) => seen.push(e) })
      .send(0, PHONE, PBX, invite('z9hG4bK-1', 1, ['Content-Type: application/sdp'], SDP))
      .send(9, PBX, PHONE, sip('SIP/2.0 200 OK', [...dialogHeaders({ branch: 'z9hG4bK-1', cseq: '1 INVITE', toTag: 't' }), 'Content-Type: application/sdp'], SDP.replace(/198\.51\.100\.7/g, PBX)))
      .end();
    expect(seen.map((e) => [e.kind, e.sender.ip, e.sdp.media[0]?.connectionIp, e.sdp.media[0]?.port])).toEqual([
      ['offer', PHONE, PHONE, 40000],
      ['answer', PBX, PBX, 40000],
    ]);
  });
});

describe('bounds and determinism', () => {
  const options = (i: number) => sip('OPTIONS sip:pbx.example SIP/2.0', dialogHeaders({ branch: `z9hG4bK-${i}`, cseq: '1 OPTIONS', callId: `scan-${i}` }));

  test('open transactions are capped; what the cap pushes out is emitted and counted', () => {
    const w = wire({ maxTransactions: 10 });
    for (let i = 0; i < 50; i++) w.send(i, FORGER, PBX, options(i));
    expect(w.correlator.sizes.open).toBe(10);
    expect(w.flows.length).toBe(40);
    expect(w.correlator.stats.evicted.transactions).toBe(40);
    expect(w.end().length).toBe(50);
  });

  test('the same capture gives the same event ids', () => {
    const run = () => wire().send(0, PHONE, PBX, options(1)).send(5, PHONE, PBX, options(2)).end().map((f) => f.event.id);
    const ids = run();
    expect(ids).toEqual(run());
    expect(new Set(ids).size).toBe(2);
  });
});
