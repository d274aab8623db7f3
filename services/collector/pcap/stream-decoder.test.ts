import type { Transport } from '../../core/records';
import { sipBytes } from '../sip/test-support/sip-builder';
import { createStreamKinds, StreamDecoder, type StreamContext } from './stream-decoder';
import type { TcpDirection } from './tcp-reassembly';
import { createTlsStats, TlsSessions } from './tls-sessions';
import { createWebSocketStats } from './websocket';

function setup(dir: Partial<TcpDirection> = {}) {
  const seen: string[] = [];
  const ctx: StreamContext = {
    sinks: {
      sip: (m, meta) => seen.push(`${meta.transport as Transport} ${m.method} ${meta.src.ip}:${meta.src.port}`),
      sipError: (reason) => seen.push(`error ${reason}`),
    },
    tls: new TlsSessions(createTlsStats(), new Set([5061])),
    websocket: createWebSocketStats(),
    kinds: createStreamKinds(),
    sipPorts: new Set([5060]),
  };
  const d = new StreamDecoder({ src: '192.0.2.1', srcPort: 40000, dst: '192.0.2.2', dstPort: 5060, connection: { proven: true }, ...dir }, ctx);
  return { d, seen, ctx };
}

const options = sipBytes('OPTIONS sip:a@b SIP/2.0', ['Via: SIP/2.0/TCP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: o', 'CSeq: 1 OPTIONS']);

test('SIP at the first byte: framed and reported with the direction', () => {
  const { d, seen, ctx } = setup();
  d.data(Buffer.concat([options, options]), 0);
  expect(seen).toEqual(['tcp OPTIONS 192.0.2.1:40000', 'tcp OPTIONS 192.0.2.1:40000']);
  expect(ctx.kinds.sip).toBe(1);
});

test('joined mid-message on a SIP port: the tail is skipped silently, the next message is read', () => {
  const { d, seen } = setup();
  d.data(Buffer.concat([options.subarray(50), options]), 0);
  expect(seen).toEqual(['tcp OPTIONS 192.0.2.1:40000']);
});

test('an HTTP upgrade, then masked WebSocket frames carrying SIP', () => {
  const { d, seen, ctx } = setup({ dstPort: 8080 });
  const upgrade = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n');
  const mask = [1, 2, 3, 4];
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | 126, options.length >> 8, options.length & 0xff, ...mask]), Buffer.from(options.map((x, i) => x ^ mask[i & 3]!))]);
  d.data(Buffer.concat([upgrade, frame.subarray(0, 10)]), 0);
  d.data(frame.subarray(10), 1);
  expect(seen).toEqual(['ws OPTIONS 192.0.2.1:40000']);
  expect(ctx.kinds.websocket).toBe(1);
});

test('a plain HTTP request is not WebSocket, and other protocols are left alone', () => {
  const http = setup({ dstPort: 80 });
  http.d.data(Buffer.from('GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n'), 0);
  expect(http.ctx.kinds).toMatchObject({ websocket: 0, other: 1 });
  const ftp = setup({ dstPort: 21 });
  for (let i = 0; i < 8; i++) ftp.d.data(Buffer.from('USER anonymous\r\n'), i);
  expect(ftp.ctx.kinds.other).toBe(1);
  expect(ftp.seen).toEqual([]);
});
