// Kept state must not pin the packets it came from. V8 keeps a whole string alive for any slice of
// it, so one detail kept from a 60 KB padded INVITE (its Call-ID, or a map key built from it)
// would keep all 60 KB: 100,000 open transactions would then hold 6 GB instead of a few MB.
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseSipMessage } from './parse-message';
import { SipCorrelator } from './transactions';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('2,000 open transactions from 60 KB requests hold far less than the requests', () => {
  const pad = 'X'.repeat(60_000);
  const correlator = new SipCorrelator();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 2000; i++) {
    const r = parseSipMessage(
      Buffer.from(
        `INVITE sip:00441234${i}@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-${i}-abcdefghij\r\n` +
          `From: "A caller with a long name" <sip:attacker-user-${i}@evil.example>;tag=tag-${i}-abcdefghijk\r\n` +
          `To: <sip:0044123456789@pbx.example>\r\nCall-ID: call-${i}-abcdefghijklmnop\r\nCSeq: 1 INVITE\r\n` +
          `X-Pad: ${pad}\r\nUser-Agent: friendly-scanner with a long version\r\nContent-Length: 0\r\n\r\n`,
      ),
    );
    if (!r.ok) throw new Error(r.reason);
    correlator.push(r.message, { timeMs: i, src: { ip: `10.0.${i >> 8}.${i & 255}`, port: 5060 }, dst: { ip: '10.9.9.9', port: 5060 }, transport: 'udp' });
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  expect(correlator.sizes.open).toBe(2000);
  expect(grown).toBeLessThan(2000 * 8 * 1024); // pinned requests would be 2000 * 60 KB
});
