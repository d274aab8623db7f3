import { redactSipMessage } from './redact';

const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

function msg(...headers: string[]): Buffer {
  return Buffer.from(['REGISTER sip:pbx.example.com SIP/2.0', 'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK1', 'Call-ID: c1', 'CSeq: 2 REGISTER', ...headers, 'Content-Length: 0', '', ''].join('\r\n'), 'latin1');
}

function redact(b: Buffer): { text: string; masked: string[]; sameLength: boolean } {
  const r = redactSipMessage(b);
  return { text: r.bytes.toString('latin1'), masked: r.masked, sameLength: r.bytes.length === b.length };
}

describe('redactSipMessage', () => {
  it('masks the digest response and keeps the public parameters, the quotes and the length', () => {
    const r = redact(msg(`Authorization: Digest username="1001", realm="pbx", nonce="n0nce", uri="sip:pbx.example.com", response="${SECRET}", algorithm=MD5, cnonce="cn", nc=00000001, qop=auth`));
    expect(r.text).not.toContain(SECRET);
    expect(r.text).toContain(`response="${'*'.repeat(SECRET.length)}"`);
    expect(r.text).toContain('username="1001"');
    expect(r.text).toContain('nonce="n0nce"');
    expect(r.text).toContain('cnonce="cn"');
    expect(r.sameLength).toBe(true);
    expect(r.masked).toEqual(['authorization.response']);
  });

  it('finds the header in any case, with space before the colon, and unquoted values', () => {
    for (const h of [`aUtHoRiZaTiOn: digest username=1001, RESPONSE=${SECRET}`, `PROXY-AUTHORIZATION   :Digest response = ${SECRET},username="x"`, `Proxy-Authorization:\tDigest Response="${SECRET}"`]) {
      const r = redact(msg(h));
      expect(r.text).not.toContain(SECRET);
      expect(r.sameLength).toBe(true);
    }
  });

  it('follows folded continuation lines, even a value folded after its equals sign', () => {
    const r = redact(msg('Authorization: Digest username="1001",', ` response=`, `\t"${SECRET}",`, ' realm="pbx"', 'X-Next: response="visible"'));
    expect(r.text).not.toContain(SECRET);
    expect(r.text).toContain('realm="pbx"');
    // a folded line ends the header it belongs to: the next header is not an auth header
    expect(r.text).toContain('X-Next: response="visible"');
  });

  it('masks an unterminated quoted value up to the end of the header, and escaped quotes inside one', () => {
    const open = redact(msg(`Authorization: Digest username="1001", response="${SECRET}`));
    expect(open.text).not.toContain(SECRET);
    const escaped = redact(msg(`Authorization: Digest response="ab\\"${SECRET}", username="u"`));
    expect(escaped.text).not.toContain(SECRET);
    expect(escaped.text).toContain('username="u"');
  });

  it('masks every value of a scheme it does not know, and the token of Basic and Bearer', () => {
    const basic = redact(msg('Authorization: Basic MTAwMTpodW50ZXIy'));
    expect(basic.text).toContain('Authorization: Basic ****************');
    expect(basic.masked).toEqual(['authorization.basic']);
    const bearer = redact(msg('Proxy-Authorization: Bearer eyJhbGciOi.payload.sig'));
    expect(bearer.text).not.toContain('eyJhbGciOi');
    const odd = redact(msg('Authorization: NTLM secret=yes, x="y"'));
    expect(odd.text).not.toMatch(/yes|"y"/);
  });

  it('masks a digest parameter it does not know (it may be a secret), and repeated responses', () => {
    const r = redact(msg(`Authorization: Digest username="u", response="${SECRET}", response="${SECRET}", auth-param="s3cr3t"`));
    expect(r.text).not.toContain(SECRET);
    expect(r.text).not.toContain('s3cr3t');
  });

  it('masks rspauth of Authentication-Info and keeps nextnonce', () => {
    const r = redact(msg('Authentication-Info: nextnonce="nn", rspauth="6629fae49393a05397450978507c4ef1", qop=auth'));
    expect(r.text).not.toContain('6629fae4');
    expect(r.text).toContain('nextnonce="nn"');
  });

  it('masks the password of a URI, in the start line and in headers, and escaped credentials in URI headers', () => {
    const b = Buffer.from(
      ['INVITE sip:1001:hunter2@pbx.example.com SIP/2.0', 'Contact: <SIP:bob:pa55w0rd@198.51.100.9;transport=udp>', 'Route: <sip:x@y?Authorization=Digest%20response%3D%22' + SECRET + '%22&Subject=hi>', 'To: <sip:1002@pbx.example.com:5060>', '', ''].join('\r\n'),
      'latin1',
    );
    const r = redact(b);
    expect(r.text).not.toMatch(/hunter2|pa55w0rd/);
    expect(r.text).not.toContain(SECRET);
    expect(r.text).toContain('sip:1001:*******@pbx.example.com');
    expect(r.text).toContain('<sip:1002@pbx.example.com:5060>'); // a port is not a password
    expect(r.text).toContain('&Subject=hi');
    expect(r.masked).toEqual(['uri.authorization', 'uri.password']);
  });

  it('masks headers named like credentials', () => {
    const r = redact(msg('X-Auth-Token: abcdef', 'P-Api-Key: k3y', 'X-Password: pw', 'User-Agent: friendly-scanner'));
    expect(r.text).not.toMatch(/abcdef|k3y|: pw/);
    expect(r.text).toContain('User-Agent: friendly-scanner');
  });

  it('masks SDP media keys: a=crypto inline keys, a=key-mgmt and k= lines, but not the rest of the body', () => {
    const sdp = ['v=0', 'o=- 1 1 IN IP4 203.0.113.5', 'c=IN IP4 203.0.113.5', 'k=clear:letmein', 'm=audio 4000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4', 'a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAJAAAAQ', ''].join('\r\n');
    const b = Buffer.from(`INVITE sip:1002@pbx SIP/2.0\r\nCall-ID: c\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`, 'latin1');
    const r = redact(b);
    expect(r.text).not.toMatch(/WVNfX19z|AQAFgM0X|letmein/);
    expect(r.text).toContain('|2^20|1:4');
    expect(r.text).toContain('m=audio 4000 RTP/SAVP 0');
    expect(r.masked).toEqual(['sdp.crypto', 'sdp.k', 'sdp.key-mgmt']);
  });

  it('leaves a message without secrets byte for byte as it was', () => {
    const b = msg('From: <sip:1001@pbx>;tag=1', 'User-Agent: friendly-scanner', 'WWW-Authenticate: Digest realm="pbx", nonce="abc"');
    const r = redactSipMessage(b);
    expect(r.bytes.equals(b)).toBe(true);
    expect(r.masked).toEqual([]);
  });

  it('survives hostile shapes: no header section, bare LF, a header line over 64 KiB, binary bytes, a colon-less line', () => {
    const long = `Authorization: Digest username="u", ${'x'.repeat(70_000)}, response="${SECRET}"`;
    for (const b of [Buffer.alloc(0), Buffer.from('garbage'), Buffer.from(`OPTIONS sip:a SIP/2.0\nAuthorization: Digest response="${SECRET}"\n\n`), msg(long), msg('no colon here', `Authorization: Digest response=${SECRET}`), Buffer.from([0, 255, 13, 10, 0x41, 0x3a, 0xff, 13, 10])]) {
      const r = redactSipMessage(b);
      expect(r.bytes.length).toBe(b.length);
      expect(r.bytes.toString('latin1')).not.toContain(SECRET);
    }
  });
});
