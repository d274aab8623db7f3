import type { MediaFlow, SipFlow } from '../../core/records';
import { validateMediaFlow, validateSipFlow } from '../../core/validate';
import { encodeHep3 } from './hep-encode';
import { HepSource, type FlowRecord } from './hep-source';
import { KAMAILIO_AUTH_KEY, KAMAILIO_OPTIONS_REQUEST, KAMAILIO_OPTIONS_RESPONSE } from './test-support/kamailio-capture';
import { PBX, PHONE, registerExchange, rtcpSenderReport } from './test-support/hep-vectors';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** The REGISTER exchange as a capture agent would mirror it, 20 ms apart. */
function registerAsHep(ipProtocol = 17): Buffer[] {
  return registerExchange().map((m, i) =>
    encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol, timeMs: T0 + 20 * i, protocolType: 1, captureId: 7, payload: m.bytes }),
  );
}

function run(source: HepSource, packets: Buffer[]): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const p of packets) {
    const r = source.message(p, 0);
    if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
    out.push(...r.records);
  }
  out.push(...source.flush());
  for (const f of out) {
    const valid = f.event.dataset === 'sip.flow' ? validateSipFlow(f) : validateMediaFlow(f);
    if (!valid) throw new Error(validateSipFlow.lastError() || validateMediaFlow.lastError());
  }
  return out;
}

describe('HepSource: SIP', () => {
  it('turns REGISTER, 401, REGISTER with credentials, 200 into two transactions; the one answering our nonce is proven', () => {
    const flows = run(new HepSource({ observerId: 'hep-sensor' }), registerAsHep()) as SipFlow[];
    expect(flows.map((f) => [f.sip.method, f.sip.status, f.sip.source_proven, f.sip.auth_user, f.network.transport])).toEqual([
      ['REGISTER', 401, false, undefined, 'udp'],
      ['REGISTER', 200, true, '105', 'udp'],
    ]);
    // event time and addresses come from the HEP chunks, not from the receiver
    expect(flows[0]).toMatchObject({ '@timestamp': new Date(T0).toISOString(), source: { ip: PHONE, port: 5060 }, destination: { ip: PBX, port: 5060 }, observer: { id: 'hep-sensor' }, user_agent: { original: 'hep-test-phone' } });
    expect(flows[1]!['@timestamp']).toBe(new Date(T0 + 40).toISOString());
    expect(flows[1]!.event.duration).toBe(20_000_000);
  });

  it('reads what Kamailio 5.6 siptrace really sends: its OPTIONS and 200 become one flow, its key passes', () => {
    const source = new HepSource({ decode: { authKey: KAMAILIO_AUTH_KEY } });
    const flows = run(source, [KAMAILIO_OPTIONS_REQUEST, KAMAILIO_OPTIONS_RESPONSE]) as SipFlow[];
    expect(flows).toHaveLength(1);
    expect(flows[0]).toMatchObject({
      source: { ip: '10.249.60.1', port: 5062 },
      destination: { ip: '10.249.60.2', port: 5060 },
      network: { transport: 'udp' },
      sip: { method: 'OPTIONS', status: 200, call_id: 'fixture-1' },
    });
    expect(new HepSource({ decode: { authKey: 'other' } }).message(KAMAILIO_OPTIONS_REQUEST, 0)).toMatchObject({ ok: false, reason: 'auth-failed' });
  });

  it('replaces capture times too far from the receive time, so one bad agent clock cannot expire everything', () => {
    const source = new HepSource({ maxClockSkewMs: 60_000 });
    const [register] = registerAsHep();
    const received = T0 + 86_400_000; // the agent's clock is a day behind ours
    source.message(register!, received);
    const [flow] = source.flush() as SipFlow[];
    expect(flow!['@timestamp']).toBe(new Date(received).toISOString());
    expect(source.stats.clockSkew).toBe(1);
  });

  it('clamps a capture time in the future to the receive time: one packet 150 s ahead cannot freeze timeouts', () => {
    // within the 5-minute skew the agent's clock is trusted, but not ahead of ours by more than 2 s
    const source = new HepSource({ maxClockSkewMs: 300_000, maxFutureMs: 2000, correlator: { transactionTimeoutMs: 32_000 } });
    const at = (call: string, timeMs: number) => {
      const m = registerExchange(call)[0]!;
      return encodeHep3({ src: { ip: m.from, port: 5060 }, dst: { ip: m.to, port: 5060 }, ipProtocol: 17, timeMs, protocolType: 1, payload: m.bytes });
    };
    expect(source.message(at('future', T0 + 150_000), T0)).toEqual({ ok: true, records: [] });
    expect(source.stats.futureTime).toBe(1);
    expect(source.message(at('now', T0 + 1000), T0 + 1000)).toEqual({ ok: true, records: [] });
    // 40 s later both REGISTERs have timed out, on time
    const timedOut = source.advance(T0 + 41_000) as SipFlow[];
    expect(timedOut.map((f) => [f.sip.call_id, f['@timestamp']]).sort()).toEqual([
      ['reg-hep-future', new Date(T0).toISOString()],
      ['reg-hep-now', new Date(T0 + 1000).toISOString()],
    ]);
    // a little ahead (agent clocks differ by milliseconds) is kept as the agent says
    source.message(at('near', T0 + 42_500), T0 + 41_000);
    expect(source.stats.futureTime).toBe(1);
  });

  it('marks transactions captured over TCP as proven (IP protocol 6)', () => {
    const flows = run(new HepSource(), registerAsHep(6)) as SipFlow[];
    expect(flows.map((f) => [f.network.transport, f.sip.source_proven])).toEqual([
      ['tcp', true],
      ['tcp', true],
    ]);
  });

  it('emits a request without a response when event time passes its timeout', () => {
    const source = new HepSource({ correlator: { transactionTimeoutMs: 1000 } });
    const [register] = registerAsHep();
    expect(source.message(register!, 0)).toEqual({ ok: true, records: [] });
    expect(source.advance(T0 + 500)).toEqual([]);
    const timedOut = source.advance(T0 + 1100) as SipFlow[];
    expect(timedOut.map((f) => [f.sip.method, f.sip.status])).toEqual([['REGISTER', undefined]]);
    expect(source.sizes.transactions).toBe(0);
  });

  it('counts refusals by reason: bad HEP, bad SIP, unknown transport; keep-alives and other types are not errors', () => {
    const source = new HepSource();
    const hep = (payload: string | Buffer, extra: { protocolType?: number; ipProtocol?: number } = {}) =>
      encodeHep3({ src: { ip: PHONE, port: 5060 }, dst: { ip: PBX, port: 5060 }, protocolType: extra.protocolType ?? 1, ipProtocol: extra.ipProtocol ?? 17, payload });
    expect(source.message(Buffer.from('garbage'), 0)).toMatchObject({ ok: false, reason: 'not-hep' });
    expect(source.message(hep('NOT SIP AT ALL'), 0)).toMatchObject({ ok: false, reason: 'sip-invalid' });
    expect(source.message(hep(registerExchange()[0]!.bytes, { ipProtocol: 47 }), 0)).toMatchObject({ ok: false, reason: 'unsupported-transport' });
    expect(source.message(hep(Buffer.from([1, 2, 3]), { protocolType: 5 }), 0)).toMatchObject({ ok: false, reason: 'rtcp-invalid' });
    expect(source.message(hep('\r\n\r\n'), 0)).toEqual({ ok: true, records: [] });
    expect(source.message(hep('{"mos":4.1}', { protocolType: 0x23 }), 0)).toEqual({ ok: true, records: [] });
    expect(source.stats).toMatchObject({
      packets: 6,
      keepAlives: 1,
      rejected: { 'not-hep': 1, 'sip-invalid': 1, 'unsupported-transport': 1, 'rtcp-invalid': 1 },
      byType: { sip: 3, rtcp: 1, mosShortReport: 1 },
      ignored: { mosShortReport: 1 },
    });
  });
});

describe('HepSource: RTCP', () => {
  const rtcp = (timeMs: number, report: Buffer, from = PHONE, to = PBX) =>
    encodeHep3({ src: { ip: from, port: 40001 }, dst: { ip: to, port: 50001 }, timeMs, protocolType: 5, correlationId: 'call-42', payload: report });

  it('turns sender and receiver reports into one media flow per stream when its reports stop', () => {
    const source = new HepSource({ observerId: 'hep-sensor', rtcp: { streamIdleMs: 10_000 } });
    const out = run(source, [rtcp(T0, rtcpSenderReport({ packets: 250, octets: 40_000, lost: 0, jitter: 8 })), rtcp(T0 + 5000, rtcpSenderReport({ packets: 500, octets: 80_000, lost: 4, jitter: 40 }))]) as MediaFlow[];
    const bySsrc = Object.fromEntries(out.map((f) => [f.media.ssrc, f]));
    // the author's own stream, from its counts: PHONE -> PBX
    expect(bySsrc[0x11111111]).toMatchObject({
      '@timestamp': new Date(T0).toISOString(),
      source: { ip: PHONE, port: 40001 },
      destination: { ip: PBX, port: 50001 },
      observer: { id: 'hep-sensor' },
      media: { call_id: 'call-42', srtp: false, packets: 500, bytes: 80_000, duration_ms: 5000 },
    });
    // the stream the author receives, from its report block: PBX -> PHONE; jitter 40 units at 8 kHz
    expect(bySsrc[0x22222222]).toMatchObject({ source: { ip: PBX }, destination: { ip: PHONE }, media: { lost: 4, jitter_ms: 5, packets: 0, bytes: 0 } });
  });

  it('emits an idle stream as event time passes, and holds at most maxStreams', () => {
    const source = new HepSource({ rtcp: { streamIdleMs: 10_000, maxStreams: 2 } });
    expect(source.message(rtcp(T0, rtcpSenderReport({ packets: 1, octets: 1, lost: 0, jitter: 0 })), 0)).toEqual({ ok: true, records: [] });
    expect(source.advance(T0 + 10_000)).toHaveLength(2);
    for (let i = 0; i < 5; i++) source.message(rtcp(T0 + 20_000, rtcpSenderReport({ packets: 1, octets: 1, lost: 0, jitter: 0 }), `192.0.2.${i}`), 0);
    expect(source.sizes.streams).toBeLessThanOrEqual(2);
    expect(source.stats.media.evicted).toBeGreaterThan(0);
  });
});

describe('HepSource: fuzz', () => {
  it('never throws on 20,000 mutated HEP packets carrying SIP and RTCP, and stays bounded', () => {
    let s = 0x5eed;
    const int = (n: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return Math.floor((s / 0x100000000) * n);
    };
    const seeds = [
      ...registerAsHep(),
      encodeHep3({ src: { ip: PHONE, port: 1 }, dst: { ip: PBX, port: 2 }, protocolType: 5, payload: rtcpSenderReport({ packets: 1, octets: 2, lost: 3, jitter: 4 }) }),
      encodeHep3({ src: { ip: PHONE, port: 1 }, dst: { ip: PBX, port: 2 }, protocolType: 5, payload: '{"type":201,"ssrc":5,"report_blocks":[{"source_ssrc":6,"packets_lost":1,"ia_jitter":2}]}' }),
    ];
    const source = new HepSource({ correlator: { maxTransactions: 1000 }, rtcp: { maxStreams: 1000 } });
    let results = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(seeds[int(seeds.length)]!);
      // mutate past the HEP header most of the time, so SIP and RTCP parsing are reached
      for (let f = 1 + int(3); f > 0; f--) b[b.length - 1 - int(Math.min(b.length, 200))] = int(256);
      const r = source.message(b, T0 + i);
      results += r.ok ? r.records.length : 1;
    }
    results += source.flush().length;
    // reaching this line is the point: no mutation made the source throw
    expect(results).toBeGreaterThan(0);
    expect(source.sizes).toEqual({ transactions: 0, streams: 0 });
  });
});
