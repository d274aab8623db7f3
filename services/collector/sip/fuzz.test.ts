// Fuzzing the SIP layer: 100,000+ inputs, random bytes and mutations of real messages (bit flips,
// truncation, duplication, a huge header, deep folding, separator storms). The parser must answer
// every one with a result and never reach its internal-error guard; accepted messages must keep
// the framing invariants; the correlator and the SDP parser must swallow whatever the parser
// accepts. The PRNG is seeded, so a failure reproduces.
import fs from 'node:fs';
import { parseSipMessage } from './parse-message';
import { parseSdp } from './sdp';
import type { ParseResult } from './sip-message';
import { dataPath } from './test-support/data-dir';
import { SipCorrelator } from './transactions';

const CASES = 100_000;

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const seeds: Buffer[] = fs
  .readdirSync(dataPath('sip-messages', 'rfc4475'))
  .map((f) => fs.readFileSync(dataPath('sip-messages', 'rfc4475', f)));
seeds.push(
  Buffer.from(
    'REGISTER sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-1;rport\r\n' +
      'From: <sip:105@pbx.example>;tag=a1\r\nTo: <sip:105@pbx.example>\r\nCall-ID: reg-1@198.51.100.7\r\nCSeq: 2 REGISTER\r\n' +
      'Authorization: Digest username="105", realm="pbx", nonce="n0nce", uri="sip:pbx.example", response="0123456789abcdef"\r\n' +
      'Contact: <sip:105@198.51.100.7:5060>\r\nUser-Agent: fuzz\r\nContent-Length: 0\r\n\r\n',
  ),
);

const SPICE = [':', ';', ',', '"', '<', '>', '\\', '%', '\0', '\r', '\n', ' ', '\t', '=', '@', '/', '\r\n ', '\r\n\r\n'].map((s) => Buffer.from(s));

function mutate(rand: () => number, input: Buffer): Buffer {
  const pick = (n: number): number => rand() % Math.max(1, n);
  switch (pick(10)) {
    case 0: {
      // bit flips
      const out = Buffer.from(input);
      for (let i = 1 + pick(8); i > 0 && out.length > 0; i--) out[pick(out.length)]! ^= 1 << pick(8);
      return out;
    }
    case 1:
      return input.subarray(0, pick(input.length + 1)); // truncation
    case 2: {
      // duplicate a slice in place
      const a = pick(input.length);
      const b = a + pick(input.length - a + 1);
      return Buffer.concat([input.subarray(0, b), input.subarray(a, b), input.subarray(b)]);
    }
    case 3: {
      // a huge header, around the size limit
      const size = 30_000 + pick(40_000);
      const at = Math.max(0, input.indexOf('\n') + 1);
      return Buffer.concat([input.subarray(0, at), Buffer.from(`X-Huge: ${'A'.repeat(size)}\r\n`), input.subarray(at)]);
    }
    case 4: {
      // deep folding: thousands of continuation lines
      const at = Math.max(0, input.indexOf('\n') + 1);
      const fold = Buffer.from('X-Fold: a\r\n' + ' b\r\n'.repeat(1 + pick(8000)));
      return Buffer.concat([input.subarray(0, at), fold, input.subarray(at)]);
    }
    case 5: {
      // separator storm
      const parts: Buffer[] = [];
      let pos = 0;
      for (let i = 1 + pick(20); i > 0; i--) {
        const at = pos + pick(input.length - pos + 1);
        parts.push(input.subarray(pos, at), SPICE[pick(SPICE.length)]!);
        pos = at;
      }
      parts.push(input.subarray(pos));
      return Buffer.concat(parts);
    }
    case 6: {
      // random bytes
      const out = Buffer.allocUnsafe(pick(2048));
      for (let i = 0; i < out.length; i++) out[i] = rand() & 0xff;
      return out;
    }
    case 7: {
      // random bytes after a valid start line
      const line = input.subarray(0, Math.max(0, input.indexOf('\n') + 1));
      const tail = Buffer.allocUnsafe(pick(512));
      for (let i = 0; i < tail.length; i++) tail[i] = 32 + (rand() % 95);
      return Buffer.concat([line, tail]);
    }
    case 8: {
      // many Via values and many headers
      const at = Math.max(0, input.indexOf('\n') + 1);
      const extra = Buffer.from(`Via: ${'SIP/2.0/UDP h;branch=z9hG4bKx,'.repeat(pick(300))}SIP/2.0/UDP h\r\n` + 'X-H: 1\r\n'.repeat(pick(400)));
      return Buffer.concat([input.subarray(0, at), extra, input.subarray(at)]);
    }
    default:
      return input; // unmodified seeds keep the correlator busy with real messages
  }
}

function checkInvariants(input: Buffer, stream: boolean, r: ParseResult): string | undefined {
  if (!r.ok) {
    if (r.reason === 'internal-error') return `internal error: ${r.detail}`;
    if (r.reason === 'incomplete' && !stream) return 'incomplete outside stream mode';
    return undefined;
  }
  if (r.consumed > input.length || r.consumed <= 0) return `consumed ${r.consumed} of ${input.length}`;
  const m = r.message;
  if (m.body.length > r.consumed) return 'body larger than the message';
  if (!(m.cseq.seq >= 0 && m.cseq.seq <= 2 ** 31 - 1)) return 'cseq out of range';
  if (m.kind === 'response' && !(m.status! >= 100 && m.status! <= 699)) return 'status out of range';
  if (m.headers.some((h) => (h.name === 'authorization' || h.name === 'proxy-authorization') && h.value !== '[redacted]')) {
    return 'credentials not redacted';
  }
  return undefined;
}

test(`${CASES} fuzzed inputs: always a result, invariants hold, downstream never throws`, () => {
  const rand = xorshift(0x5eed);
  const correlator = new SipCorrelator({ maxTransactions: 500, maxEarlyCalls: 500, maxDialogs: 100, maxNonces: 100 });
  const problems: string[] = [];
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < CASES && problems.length < 10; i++) {
    const input = mutate(rand, seeds[rand() % seeds.length]!);
    for (const stream of [false, true]) {
      const r = parseSipMessage(input, { stream });
      const problem = checkInvariants(input, stream, r);
      if (problem) problems.push(`case ${i} (stream=${stream}): ${problem}: ${input.toString('latin1', 0, 120)}`);
      if (stream) continue;
      const key = r.ok ? 'accepted' : r.reason;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (r.ok) {
        correlator.push(r.message, {
          timeMs: i * 10,
          src: { ip: `192.0.2.${i % 7}`, port: 5060 },
          dst: { ip: '198.51.100.1', port: 5060 },
          transport: 'udp',
        });
        parseSdp(r.message.body);
      }
    }
  }
  correlator.flush();
  expect(problems).toEqual([]);
  // the mix really exercises both sides of the parser
  expect(outcomes.accepted).toBeGreaterThan(CASES / 10);
  expect(Object.keys(outcomes).length).toBeGreaterThan(8);
  // bounded state stayed bounded
  const sizes = correlator.sizes;
  expect(sizes.open).toBe(0);
  expect(sizes.completed).toBeLessThanOrEqual(500);
  expect(sizes.nonces).toBeLessThanOrEqual(100);
}, 120_000);

test('SDP parser: 20,000 mutated bodies never throw', () => {
  const rand = xorshift(0xd1ce);
  const sdp = Buffer.from(
    'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/SAVP 0 8 101\r\n' +
      'a=rtpmap:101 telephone-event/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\na=fingerprint:sha-256 AB:CD\r\n',
  );
  for (let i = 0; i < 20_000; i++) expect(() => parseSdp(mutate(rand, sdp))).not.toThrow();
});
