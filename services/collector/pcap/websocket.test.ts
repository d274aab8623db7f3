import { createWebSocketStats, WebSocketDecoder } from './websocket';

function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; mask?: Buffer; rsv1?: boolean } = {}): Buffer {
  const fin = opts.fin ?? true;
  const b0 = (fin ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opcode;
  let len: Buffer;
  if (payload.length < 126) len = Buffer.from([payload.length]);
  else if (payload.length < 65536) len = Buffer.from([126, payload.length >> 8, payload.length & 0xff]);
  else {
    len = Buffer.alloc(9);
    len[0] = 127;
    len.writeUInt32BE(payload.length, 5);
  }
  if (opts.mask) {
    len[0]! |= 0x80;
    const masked = Buffer.from(payload.map((x, i) => x ^ opts.mask![i & 3]!));
    return Buffer.concat([Buffer.from([b0]), len, opts.mask, masked]);
  }
  return Buffer.concat([Buffer.from([b0]), len, payload]);
}

function setup() {
  const messages: string[] = [];
  const stats = createWebSocketStats();
  return { decoder: new WebSocketDecoder((m) => messages.push(m.toString()), stats, 1024), messages, stats };
}

const KEY = Buffer.from([0x35, 0xba, 0x59, 0x9f]);

test('masked client frames and unmasked server frames, 7- and 16-bit lengths', () => {
  const { decoder, messages } = setup();
  decoder.push(Buffer.concat([frame(1, Buffer.from('short'), { mask: KEY }), frame(1, Buffer.alloc(300, 0x61))]));
  expect(messages).toEqual(['short', 'a'.repeat(300)]);
});

test('a frame split across segments, a fragmented message, and control frames in between', () => {
  const { decoder, messages } = setup();
  const bytes = Buffer.concat([
    frame(1, Buffer.from('INVITE '), { fin: false, mask: KEY }),
    frame(9, Buffer.from('ping')),
    frame(0, Buffer.from('sip:a@b SIP/2.0'), { mask: KEY }),
  ]);
  for (let i = 0; i < bytes.length; i += 3) decoder.push(bytes.subarray(i, i + 3));
  expect(messages).toEqual(['INVITE sip:a@b SIP/2.0']);
});

test('compressed and oversized messages are dropped and counted', () => {
  const { decoder, messages, stats } = setup();
  decoder.push(Buffer.concat([frame(1, Buffer.from('deflated'), { rsv1: true }), frame(2, Buffer.alloc(2000)), frame(1, Buffer.from('ok'))]));
  expect(messages).toEqual(['ok']);
  expect(stats).toMatchObject({ messages: 1, dropped: 2 });
});

test('bytes that are not WebSocket frames stop the decoder', () => {
  const { decoder, stats } = setup();
  expect(decoder.push(Buffer.from([0x83, 0x00]))).toBe(false); // reserved opcode 3
  expect(decoder.push(frame(1, Buffer.from('late')))).toBe(false);
  expect(stats.errors).toBe(1);
});
