import { parseSipMessage } from './parse-message';
import type { SipMessage } from './sip-message';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

function parsed(buf: Buffer, stream = false): SipMessage {
  const r = parseSipMessage(buf, { stream });
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.message;
}

const INVITE = crlf([
  'INVITE sip:+442071234567@pbx.example.com;user=phone SIP/2.0',
  'v: SIP/2.0/UDP 203.0.113.9:5062;branch=z9hG4bK-top;rport, SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK-2',
  'Via: SIP/2.0/UDP 10.0.0.1;received=198.51.100.2;branch=z9hG4bK-3',
  'f: "Alice" <sip:alice@example.com>;tag=ft1',
  't: <sip:+442071234567@pbx.example.com>',
  'i: call-1@203.0.113.9',
  'CSeq: 102 INVITE',
  'm: <sip:alice@203.0.113.9:5062>;expires=60',
  'Proxy-Authorization: Digest username="alice", realm="pbx.example.com",',
  '  nonce="abc123", uri="sip:+442071234567@pbx.example.com", response="d3b07384d113edec49eaa6238ad5ff00"',
  'User-Agent: friendly-scanner',
  'r: <sip:bob@example.com>',
  'c: application/sdp',
  'l: 5',
  '',
  'v=0\r\n',
]);

describe('parseSipMessage', () => {
  test('extracts the fields a monitor keys on, with compact forms and folding', () => {
    const m = parsed(INVITE);
    expect(m).toMatchObject({
      kind: 'request',
      method: 'INVITE',
      requestUri: 'sip:+442071234567@pbx.example.com;user=phone',
      callId: 'call-1@203.0.113.9',
      cseq: { seq: 102, method: 'INVITE' },
      from: { display: 'Alice', user: 'alice', host: 'example.com', tag: 'ft1' },
      to: { user: '+442071234567', host: 'pbx.example.com' },
      contact: { user: 'alice', host: '203.0.113.9', port: 5062 },
      referTo: { user: 'bob', host: 'example.com' },
      userAgent: 'friendly-scanner',
      contentType: 'application/sdp',
      contentLength: 5,
      credentials: [{ header: 'proxy-authorization', scheme: 'Digest', username: 'alice', realm: 'pbx.example.com', nonce: 'abc123' }],
      defects: [],
    });
    expect(m.to.tag).toBeUndefined();
    expect(m.body.toString()).toBe('v=0\r\n');
    expect(m.via).toEqual([
      { transport: 'UDP', host: '203.0.113.9', port: 5062, branch: 'z9hG4bK-top', rport: true },
      { transport: 'TCP', host: '[2001:db8::1]', port: 5070, branch: 'z9hG4bK-2' },
      { transport: 'UDP', host: '10.0.0.1', branch: 'z9hG4bK-3', received: '198.51.100.2' },
    ]);
  });

  test('never keeps the digest response', () => {
    const m = parsed(INVITE);
    expect(JSON.stringify(m)).not.toContain('d3b07384d113edec49eaa6238ad5ff00');
    expect(m.headers.find((h) => h.name === 'proxy-authorization')?.value).toBe('[redacted]');
  });

  test('responses take their method from CSeq and carry the challenge nonce', () => {
    const m = parsed(
      crlf([
        'SIP/2.0 407 Proxy Authentication Required',
        'Via: SIP/2.0/UDP 203.0.113.9:5062;branch=z9hG4bK-top',
        'From: <sip:alice@example.com>;tag=ft1',
        'To: <sip:bob@example.com>;tag=srv9',
        'Call-ID: call-1',
        'CSeq: 102 INVITE',
        'Proxy-Authenticate: Digest realm="pbx", nonce="Y2hhbGxlbmdl", qop="auth"',
        'Server: kamailio',
        'Content-Length: 0',
        '',
        '',
      ]),
    );
    expect(m).toMatchObject({ kind: 'response', status: 407, reason: 'Proxy Authentication Required', method: 'INVITE', server: 'kamailio' });
    expect(m.challenge).toEqual({ header: 'proxy-authenticate', scheme: 'Digest', realm: 'pbx', nonce: 'Y2hhbGxlbmdl' });
  });

  test('bare LF line endings are accepted', () => {
    const m = parsed(Buffer.from('OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\nCall-ID: lf\nCSeq: 1 OPTIONS\n\n'));
    expect(m.callId).toBe('lf');
  });

  test('keep-alives are reported as empty', () => {
    expect(parseSipMessage(Buffer.from('\r\n\r\n'))).toMatchObject({ ok: false, reason: 'empty', consumed: 4 });
  });

  test('a datagram without the closing blank line is accepted with a defect', () => {
    const m = parsed(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n'));
    expect(m.defects).toEqual(['no-blank-line']);
  });

  test('limits: size, header count', () => {
    const big = Buffer.concat([INVITE, Buffer.alloc(70_000, 0x41)]);
    expect(parseSipMessage(big)).toMatchObject({ ok: false, reason: 'too-large' });
    const many = crlf(['OPTIONS sip:a@b SIP/2.0', ...Array.from({ length: 300 }, (_, i) => `X-${i}: 1`), '', '']);
    expect(parseSipMessage(many)).toMatchObject({ ok: false, reason: 'too-many-headers' });
    const tight = parseSipMessage(INVITE, { limits: { maxMessageBytes: 100, maxHeaders: 256, maxViaValues: 64 } });
    expect(tight).toMatchObject({ ok: false, reason: 'too-large' });
  });

  test('too many Via values are cut with a defect', () => {
    const vias = Array.from({ length: 80 }, (_, i) => `SIP/2.0/UDP h${i};branch=z9hG4bK${i}`).join(',');
    const m = parsed(crlf(['OPTIONS sip:a@b SIP/2.0', `Via: ${vias}`, 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: v', 'CSeq: 1 OPTIONS', '', '']));
    expect(m.via.length).toBe(64);
    expect(m.defects).toContain('too-many-via');
  });

  test('a method named __proto__ is just a method', () => {
    const m = parsed(crlf(['__proto__ sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: p', 'CSeq: 1 __proto__', '', '']));
    expect(m.method).toBe('__proto__');
  });
});

describe('stream framing', () => {
  const two = Buffer.concat([INVITE, INVITE]);

  test('Content-Length separates messages sent back to back', () => {
    const first = parseSipMessage(two, { stream: true });
    expect(first).toMatchObject({ ok: true, consumed: INVITE.length });
    const second = parseSipMessage(two.subarray(INVITE.length), { stream: true });
    expect(second).toMatchObject({ ok: true, consumed: INVITE.length });
  });

  test('an unfinished message asks for more bytes, saying how many when it knows', () => {
    expect(parseSipMessage(INVITE.subarray(0, 40), { stream: true })).toMatchObject({ ok: false, reason: 'incomplete', consumed: 0 });
    const noBody = INVITE.subarray(0, INVITE.length - 2);
    expect(parseSipMessage(noBody, { stream: true })).toMatchObject({ ok: false, reason: 'incomplete', needed: INVITE.length });
  });

  test('leading CRLF keep-alives are skipped and counted in consumed', () => {
    const r = parseSipMessage(Buffer.concat([Buffer.from('\r\n\r\n'), INVITE]), { stream: true });
    expect(r).toMatchObject({ ok: true, consumed: INVITE.length + 4 });
  });

  test('a missing Content-Length on a stream means no body', () => {
    const m = parsed(crlf(['OPTIONS sip:a@b SIP/2.0', 'Via: SIP/2.0/TCP h', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: s', 'CSeq: 1 OPTIONS', '', 'junk']), true);
    expect(m.body.length).toBe(0);
    expect(m.defects).toEqual(['missing-content-length']);
  });

  test('headers that never end within the limit are too large, not incomplete forever', () => {
    const endless = Buffer.concat([Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n'), Buffer.alloc(70_000, 0x41)]);
    expect(parseSipMessage(endless, { stream: true })).toMatchObject({ ok: false, reason: 'too-large' });
  });
});

test('an IPv6 address without brackets in Via keeps its branch and is flagged', () => {
  const m = parsed(
    crlf([
      'INVITE sip:a@b SIP/2.0',
      'Via: SIP/2.0/UDP fe80:0:0:0:21a:a0ff:fe07:32e0:5060;branch=z9hG4bKkdjuw8376',
      'From: <sip:x@y>;tag=1',
      'To: <sip:a@b>',
      'Call-ID: v6',
      'CSeq: 1 INVITE',
      '',
      '',
    ]),
  );
  expect(m.via).toEqual([{ transport: 'UDP', host: '[fe80:0:0:0:21a:a0ff:fe07:32e0]', port: 5060, branch: 'z9hG4bKkdjuw8376' }]);
  expect(m.defects).toEqual(['bad-via']);
});
