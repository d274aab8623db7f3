import { ByteBudget } from './byte-budget';
import { SipStreamFramer } from './sip-stream';
import { sipBytes } from '../sip/test-support/sip-builder';

function setup(maxMessageBytes?: number) {
  const seen: string[] = [];
  const framer = new SipStreamFramer(
    { message: (m) => seen.push(`${m.method} ${m.cseq.seq}`), error: (reason) => seen.push(`error ${reason}`) },
    maxMessageBytes,
  );
  return { framer, seen };
}

const msg = (cseq: number, body = '') =>
  sipBytes('INFO sip:a@b SIP/2.0', ['Via: SIP/2.0/TCP h;branch=z9hG4bK1', 'From: <sip:x@y>;tag=1', 'To: <sip:a@b>', 'Call-ID: s', `CSeq: ${cseq} INFO`], body);

test('several messages in one segment', () => {
  const { framer, seen } = setup();
  framer.push(Buffer.concat([msg(1), msg(2, 'body'), msg(3)]));
  expect(seen).toEqual(['INFO 1', 'INFO 2', 'INFO 3']);
});

test('one message over many segments, even byte by byte', () => {
  const { framer, seen } = setup();
  const all = Buffer.concat([msg(1, 'x'.repeat(300)), msg(2)]);
  for (let i = 0; i < all.length; i++) framer.push(all.subarray(i, i + 1));
  expect(seen).toEqual(['INFO 1', 'INFO 2']);
});

test('CRLF keep-alives between messages are skipped', () => {
  const { framer, seen } = setup();
  framer.push(Buffer.concat([Buffer.from('\r\n\r\n'), msg(1), Buffer.from('\r\n\r\n'), msg(2)]));
  expect(seen).toEqual(['INFO 1', 'INFO 2']);
});

test('garbage is reported once and the framer resynchronises on the next start line', () => {
  const { framer, seen } = setup();
  framer.push(Buffer.concat([Buffer.from('GARBAGE LINE\r\nmore garbage\r\n\r\n'), msg(1)]));
  expect(seen).toEqual(['error bad-start-line', 'INFO 1']);
});

test('after a lost segment the partial message is dropped and the next one is found', () => {
  const { framer, seen } = setup();
  const first = msg(1, 'y'.repeat(100));
  framer.push(first.subarray(0, 60));
  framer.gap();
  framer.push(Buffer.concat([first.subarray(120), msg(2)]));
  expect(seen).toEqual(['error incomplete', 'INFO 2']);
});

test('an oversized message is skipped whole, by its Content-Length', () => {
  const { framer, seen } = setup(1024);
  const big = msg(1, 'z'.repeat(5000));
  framer.push(big.subarray(0, 400));
  framer.push(big.subarray(400, 3000));
  framer.push(Buffer.concat([big.subarray(3000), msg(2)]));
  expect(seen).toEqual(['error too-large', 'INFO 2']);
});

test('a stream that ends inside a message reports it', () => {
  const { framer, seen } = setup();
  framer.push(msg(1).subarray(0, 30));
  framer.end();
  expect(seen).toEqual(['error incomplete']);
});

test('unfinished messages are charged to the shared budget; over it, the partial is dropped', () => {
  const budget = new ByteBudget(100);
  const seen: string[] = [];
  const framer = new SipStreamFramer({ message: (m) => seen.push(m.method), error: (r) => seen.push(r) }, undefined, budget);
  const m = msg(1, 'b'.repeat(200));
  framer.push(m.subarray(0, 50));
  expect(budget.used).toBe(50);
  framer.push(m.subarray(50, 150)); // 150 bytes would be over budget
  expect(budget).toMatchObject({ used: 0, overruns: 1 });
  framer.push(Buffer.concat([m.subarray(150), msg(2)]));
  expect(seen).toEqual(['INFO']);
  expect(budget.used).toBe(0);
});
