import type { MediaFlow } from '../../core/records';
import { validateMediaFlow } from '../../core/validate';
import { parseSdp } from '../sip/sdp';
import { MediaTracker } from './rtp';
import { rtp } from './test-support/frames';

const CALLEE = '198.51.100.7';
const CALLER = '203.0.113.5';

function tracker(profile = 'RTP/AVP 0 101', extra = '') {
  const t = new MediaTracker({ observerId: 'sensor-1' });
  const sdp = parseSdp(`v=0\r\no=- 1 1 IN IP4 ${CALLEE}\r\ns=-\r\nc=IN IP4 ${CALLEE}\r\nt=0 0\r\nm=audio 40000 ${profile}\r\na=rtpmap:101 telephone-event/8000\r\n${extra}`)!;
  t.register({ callId: 'call-1', timeMs: 0, sender: { ip: CALLEE, port: 5060 }, kind: 'offer', sdp });
  return t;
}

const send = (t: MediaTracker, timeMs: number, payload: Buffer, src = CALLER, srcPort = 30000, dst = CALLEE, dstPort = 40000) =>
  t.packet({ timeMs, src, srcPort, dst, dstPort, payload });

function only(flows: MediaFlow[]): MediaFlow {
  expect(flows.length).toBe(1);
  expect(validateMediaFlow(flows[0])).toBe(true);
  return flows[0]!;
}

test('a clean PCMU stream with two lost packets and a DTMF event', () => {
  const t = tracker();
  for (let i = 0; i < 50; i++) {
    if (i === 5 || i === 6) continue; // lost in the network
    const pt = i === 20 ? 101 : 0; // telephone-event shares the stream's sequence numbers
    expect(send(t, 1000 + i * 20, rtp(pt, 1000 + i, 160 * i, 0x1234))).toBe(true);
  }
  const flow = only(t.expire(1000 + 49 * 20 + 15_001));
  expect(flow).toMatchObject({
    '@timestamp': '1970-01-01T00:00:01.000Z',
    source: { ip: CALLER, port: 30000 },
    destination: { ip: CALLEE, port: 40000 },
    network: { transport: 'udp' },
    observer: { id: 'sensor-1' },
    event: { dataset: 'media.flow', duration: 980_000_000 },
    media: { call_id: 'call-1', ssrc: 0x1234, codec: 'PCMU', srtp: false, packets: 48, bytes: 48 * 172, lost: 2, duration_ms: 980 },
  });
  expect(flow.media.jitter_ms).toBeCloseTo(0, 6);
});

test('interarrival jitter follows RFC 3550 A.8 in the codec clock', () => {
  const t = tracker();
  // packets every 20 ms of media time, arriving alternately 5 ms early and 5 ms late
  for (let i = 0; i < 400; i++) send(t, 1000 + i * 20 + (i % 2 ? 5 : -5), rtp(0, i, 160 * i, 7));
  const flow = only(t.flush());
  // |D| alternates 10 ms, so J converges to 10 ms
  expect(flow.media.jitter_ms).toBeGreaterThan(9.5);
  expect(flow.media.jitter_ms).toBeLessThan(10.01);
});

test('sequence numbers wrap without counting a loss', () => {
  const t = tracker();
  for (let i = 0; i < 20; i++) send(t, i * 20, rtp(0, 65530 + i, i * 160, 9));
  expect(only(t.flush()).media).toMatchObject({ packets: 20, lost: 0 });
});

test('a sender that restarts its sequence numbers is followed, not counted as 20,000 losses', () => {
  const t = tracker();
  for (let i = 0; i < 10; i++) send(t, i * 20, rtp(0, 100 + i, i * 160, 9));
  for (let i = 0; i < 10; i++) send(t, 200 + i * 20, rtp(0, 30000 + i, i * 160, 9));
  expect(only(t.flush()).media).toMatchObject({ packets: 20, lost: 0 });
});

test('SRTP from the SDP: SAVP profile and the SDES crypto suite', () => {
  const t = tracker('RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n');
  send(t, 0, rtp(0, 1, 0, 5));
  expect(only(t.flush()).media).toMatchObject({ srtp: true, srtp_suite: 'AES_CM_128_HMAC_SHA1_80' });
});

test('ZRTP in the media path marks the stream as SRTP although the SDP says RTP/AVP', () => {
  const t = tracker();
  const zrtp = Buffer.alloc(28);
  zrtp[0] = 0x10;
  zrtp.write('ZRTP', 4, 'latin1');
  send(t, 0, zrtp, CALLEE, 40000, CALLER, 30000);
  send(t, 10, rtp(0, 1, 0, 5));
  expect(only(t.flush()).media.srtp).toBe(true);
  expect(t.stats.zrtpPackets).toBe(1);
});

test('RTCP, STUN and unnegotiated ports are told apart', () => {
  const t = tracker();
  const rtcp = Buffer.from([0x80, 200, 0, 6, ...Buffer.alloc(24)]);
  expect(send(t, 0, rtcp, CALLER, 30001, CALLEE, 40001)).toBe(true);
  expect(send(t, 0, Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(18)]))).toBe(true);
  expect(send(t, 0, rtp(0, 1, 0, 5), CALLER, 30000, CALLEE, 41000)).toBe(false);
  expect(t.stats).toMatchObject({ rtcpPackets: 1, stunPackets: 1, rtpPackets: 0 });
  expect(t.flush()).toEqual([]);
});

test('the stream table is capped: the oldest stream is emitted early and counted', () => {
  const t = new MediaTracker({ maxStreams: 2 });
  const sdp = parseSdp(`v=0\r\nc=IN IP4 ${CALLEE}\r\nm=audio 40000 RTP/AVP 8\r\n`)!;
  t.register({ callId: 'c', timeMs: 0, sender: { ip: CALLEE, port: 5060 }, kind: 'offer', sdp });
  for (let ssrc = 1; ssrc <= 3; ssrc++) send(t, ssrc, rtp(8, 1, 0, ssrc));
  expect(t.stats.evictedStreams).toBe(1);
  expect(t.flush().map((f) => [f.media.ssrc, f.media.codec])).toEqual([
    [1, 'PCMA'],
    [2, 'PCMA'],
    [3, 'PCMA'],
  ]);
});
