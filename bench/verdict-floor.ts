// The floor of the verdict benchmark: what Node itself costs on this machine. An HTTP server that
// reads the JSON body and answers a constant verdict, and a UDP server that answers every INVITE with
// a 302 built from its own headers, both without any state or rule. Run in a process of its own by
// bench/verdicts.bench.ts under the same load as the service: the service's figures minus these are
// what callsentry adds. Usage: node dist/bench/verdict-floor.js (prints {"http":PORT,"sip":PORT}).
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const INVITE = Buffer.from('INVITE ');
const ALLOW = JSON.stringify({ verdict: 'allow', reason: 'no rule objected', rule: 'allow', finding_ids: [], ttl_seconds: 60 });

const http = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ALLOW), 'cache-control': 'no-store' });
    res.end(ALLOW);
  });
});

const udp = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
udp.on('message', (buf, peer) => {
  if (!buf.subarray(0, 7).equals(INVITE)) return;
  const text = buf.toString('latin1');
  const line = (name: string) => {
    const at = text.indexOf(`\n${name}:`);
    return at < 0 ? '' : text.slice(at + 1, text.indexOf('\r', at + 1));
  };
  const uri = text.slice(7, text.indexOf(' SIP/2.0'));
  const answer = ['SIP/2.0 302 Moved Temporarily', line('Via'), line('From'), `${line('To')};tag=floor`, line('Call-ID'), line('CSeq'), `Contact: <${uri}>`, 'Content-Length: 0', '', ''];
  udp.send(answer.join('\r\n'), peer.port, peer.address);
});

http.listen(0, '127.0.0.1', () =>
  udp.bind(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ http: (http.address() as AddressInfo).port, sip: udp.address().port })}\n`);
  }),
);
process.on('SIGTERM', () => process.exit(0));
