import { parseSdp, summarizeSdp } from './sdp';
import { extractSdp } from './sdp-body';
import { sip } from './test-support/sip-builder';

const WEBRTC = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=fingerprint:sha-256 19:E2:1C:3B:4B:9F:81:E6:B8:5C:F4:A5:A8:D8:73:04:BB:05:2F:70:9F:04:A9:0E:05:E9:26:33:E8:70:88:A2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126',
  'c=IN IP4 203.0.113.4',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:126 telephone-event/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 203.0.113.4',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

const SDES = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1/127',
  't=0 0',
  'm=audio 49170 RTP/SAVP 0 18',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4',
  'a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32',
  'm=audio 0 RTP/AVP 0',
  '',
].join('\r\n');

test('WebRTC offer: DTLS fingerprint at session level, SAVPF profile, dynamic and static codecs', () => {
  expect(summarizeSdp(parseSdp(WEBRTC)!)).toEqual({
    connection_ip: '203.0.113.4',
    media: [
      { type: 'audio', port: 9, protocol: 'UDP/TLS/RTP/SAVPF', dtls_fingerprint: true, codecs: ['opus', 'PCMU', 'PCMA', 'telephone-event'] },
      { type: 'video', port: 9, protocol: 'UDP/TLS/RTP/SAVPF', dtls_fingerprint: true, codecs: ['VP8'] },
    ],
  });
  expect(parseSdp(WEBRTC)!.media[0]!.rtpmap.get(111)).toEqual({ name: 'opus', clockRate: 48000 });
});

test('SDES offer: crypto suites, TTL stripped from the address, a disabled stream kept', () => {
  const desc = parseSdp(SDES)!;
  expect(desc.connectionIp).toBe('192.0.2.1');
  expect(summarizeSdp(desc).media).toEqual([
    { type: 'audio', port: 49170, protocol: 'RTP/SAVP', crypto_suites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'], codecs: ['PCMU', 'G729'] },
    { type: 'audio', port: 0, protocol: 'RTP/AVP', codecs: ['PCMU'] },
  ]);
});

test('not SDP: no version line or no media', () => {
  expect(parseSdp('hello')).toBeUndefined();
  expect(parseSdp('v=0\r\ns=-\r\n')).toBeUndefined();
});

test('the SDP part of a multipart body is found', () => {
  const body = ['--b1', 'Content-Type: application/isup', '', 'xx', '--b1', 'Content-Type: application/sdp', '', SDES, '--b1--', ''].join('\r\n');
  const msg = sip('INVITE sip:a@b SIP/2.0', ['Via: SIP/2.0/UDP h', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: m', 'CSeq: 1 INVITE', 'Content-Type: multipart/mixed;boundary=b1'], body);
  expect(extractSdp(msg)?.media[0]?.cryptoSuites).toEqual(['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']);
});
