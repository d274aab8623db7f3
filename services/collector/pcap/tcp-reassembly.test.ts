import { ByteBudget } from './byte-budget';
import { TcpReassembler, type TcpSegment, type TcpStreamHandler } from './tcp-reassembly';
import { TCP } from './test-support/frames';

/** Records what each direction's handler saw. */
function setup(options = {}) {
  const log: string[] = [];
  const handler = (): TcpStreamHandler => ({
    data: (bytes) => log.push(bytes.toString()),
    gap: () => log.push('<gap>'),
    end: () => log.push('<end>'),
  });
  const r = new TcpReassembler(handler, undefined, options);
  const seg = (seq: number, text: string, flags: number = TCP.ACK, timeMs = 0): TcpSegment => ({
    timeMs,
    src: '192.0.2.1',
    srcPort: 40000,
    dst: '192.0.2.2',
    dstPort: 5060,
    seq,
    ack: 0,
    flags,
    payload: Buffer.from(text),
  });
  return { r, log, seg };
}

test('in-order bytes pass through; FIN ends the direction', () => {
  const { r, log, seg } = setup();
  r.push(seg(100, '', TCP.SYN));
  r.push(seg(101, 'hello '));
  r.push(seg(107, 'world', TCP.ACK | TCP.FIN));
  expect(log).toEqual(['hello ', 'world', '<end>']);
  expect(r.openDirections).toBe(0);
});

test('retransmissions are delivered once, overlaps are trimmed', () => {
  const { r, log, seg } = setup();
  r.push(seg(1, 'abcd'));
  r.push(seg(1, 'abcd'));
  r.push(seg(3, 'cdef'));
  expect(log).toEqual(['abcd', 'ef']);
  expect(r.stats).toMatchObject({ retransmissions: 1, segments: 3 });
});

test('out-of-order segments wait for the hole to fill', () => {
  const { r, log, seg } = setup();
  r.push(seg(1, 'aa'));
  r.push(seg(5, 'cc'));
  r.push(seg(7, 'dd'));
  expect(log).toEqual(['aa']);
  r.push(seg(3, 'bb'));
  expect(log).toEqual(['aa', 'bb', 'cc', 'dd']);
  expect(r.stats.outOfOrder).toBe(2);
});

test('a hole that never fills is skipped once the buffer is full, and the handler is told', () => {
  const { r, log, seg } = setup({ maxBufferedSegments: 2 });
  r.push(seg(1, 'aa'));
  r.push(seg(5, 'cc'));
  r.push(seg(7, 'dd'));
  r.push(seg(9, 'ee'));
  expect(log).toEqual(['aa', '<gap>', 'cc', 'dd', 'ee']);
  expect(r.stats.gaps).toBe(1);
});

test('joining mid-stream starts at the first segment seen; sequence numbers wrap', () => {
  const { r, log, seg } = setup();
  r.push(seg(0xfffffffe, 'ab'));
  r.push(seg(0x00000002, 'ef'));
  r.push(seg(0x00000000, 'cd'));
  expect(log).toEqual(['ab', 'cd', 'ef']);
});

test('idle directions are evicted and flushed; the number of directions is capped', () => {
  const { r, log, seg } = setup({ idleTimeoutMs: 1000, maxFlows: 1 });
  r.push(seg(1, 'a', TCP.ACK, 0));
  r.expire(5000);
  expect(log).toEqual(['a', '<end>']);
  const other = (port: number): TcpSegment => ({ ...seg(1, 'x', TCP.ACK, 6000), srcPort: port });
  r.push(other(1));
  r.push(other(2));
  r.push(other(3));
  expect(r.openDirections).toBe(2);
  expect(r.stats.evictedFlows).toBe(1);
});

test('a SYN with a new sequence number on a known 4-tuple starts a new connection', () => {
  const { r, log, seg } = setup();
  r.push(seg(100, '', TCP.SYN));
  r.push(seg(101, 'old'));
  r.push(seg(5000, '', TCP.SYN));
  r.push(seg(5001, 'new'));
  expect(log).toEqual(['old', '<end>', 'new']);
});

test('the shared byte budget caps out-of-order data across all directions', () => {
  const budget = new ByteBudget(4);
  const { r, log, seg } = setup({ budget });
  r.push(seg(1, 'aa'));
  r.push(seg(5, 'cccc')); // held: uses the whole budget
  r.push({ ...seg(1, 'xx'), srcPort: 40001 });
  r.push({ ...seg(9, 'zz'), srcPort: 40001 }); // another direction cannot hold anything more
  expect(log).toEqual(['aa', 'xx', '<gap>', 'zz']);
  expect(budget).toMatchObject({ used: 4, overruns: 1 });
  r.push(seg(3, 'bb'));
  expect(budget.used).toBe(0);
});

describe('a direction proves its source only by completing the handshake the capture saw', () => {
  const CLIENT = { src: '192.0.2.1', srcPort: 40000, dst: '192.0.2.2', dstPort: 5060 };
  const SERVER = { src: '192.0.2.2', srcPort: 5060, dst: '192.0.2.1', dstPort: 40000 };
  function setupProof() {
    const proven: Array<() => boolean> = [];
    const r = new TcpReassembler((dir) => {
      proven.push(() => dir.connection.proven);
      return { data: () => undefined, gap: () => undefined, end: () => undefined };
    });
    const seg = (side: typeof CLIENT, seq: number, ack: number, flags: number, text = ''): TcpSegment => ({ timeMs: 0, ...side, seq, ack, flags, payload: Buffer.from(text) });
    return { r, seg, clientProven: () => proven[0]!(), serverProven: () => proven[1]?.() ?? false };
  }

  test('the client acknowledges the SYN-ACK it received: proven', () => {
    const { r, seg, clientProven, serverProven } = setupProof();
    r.push(seg(CLIENT, 1000, 0, TCP.SYN));
    expect(clientProven()).toBe(false);
    r.push(seg(SERVER, 777_000, 1001, TCP.SYN | TCP.ACK));
    expect(serverProven()).toBe(true);
    expect(clientProven()).toBe(false);
    r.push(seg(CLIENT, 1001, 777_001, TCP.ACK, 'INVITE sip:x SIP/2.0\r\n'));
    expect(clientProven()).toBe(true);
  });

  test('a forged segment, a wrong acknowledgement or a stream joined mid-way proves nothing', () => {
    const forged = setupProof();
    forged.r.push(forged.seg(CLIENT, 1, 1, TCP.ACK | TCP.PSH, 'INVITE sip:x SIP/2.0\r\n')); // no handshake at all
    expect(forged.clientProven()).toBe(false);
    const guessed = setupProof();
    guessed.r.push(guessed.seg(CLIENT, 1000, 0, TCP.SYN));
    guessed.r.push(guessed.seg(SERVER, 777_000, 1001, TCP.SYN | TCP.ACK));
    guessed.r.push(guessed.seg(CLIENT, 1001, 123_457, TCP.ACK, 'INVITE')); // the forger does not know the server's ISN
    expect(guessed.clientProven()).toBe(false);
    const noAckFlag = setupProof();
    noAckFlag.r.push(noAckFlag.seg(CLIENT, 1000, 0, TCP.SYN));
    noAckFlag.r.push(noAckFlag.seg(SERVER, 777_000, 1001, TCP.SYN | TCP.ACK));
    noAckFlag.r.push(noAckFlag.seg(CLIENT, 1001, 777_001, TCP.PSH, 'INVITE'));
    expect(noAckFlag.clientProven()).toBe(false);
  });
});

describe('segments that repeat bytes with different content', () => {
  test('a retransmission that disagrees with delivered bytes is counted and the stream resynchronised', () => {
    const { r, log, seg } = setup();
    r.push(seg(1, 'User-Agent: friendly-scanner\r\n'));
    r.push(seg(13, 'Zoiper 5.4.1 xxx\r\nVia: x'));
    expect(log).toEqual(['User-Agent: friendly-scanner\r\n', '<gap>', 'Via: x']);
    expect(r.stats).toMatchObject({ conflicts: 1 });
  });

  test('an out-of-order segment that disagrees with one waiting is counted, and the first copy kept', () => {
    const { r, log, seg } = setup();
    r.push(seg(1, 'aa'));
    r.push(seg(5, 'cccc'));
    r.push(seg(7, 'XX'));
    r.push(seg(3, 'bb'));
    expect(log).toEqual(['aa', '<gap>', 'bb', 'cccc']);
    expect(r.stats).toMatchObject({ conflicts: 1, outOfOrder: 1 });
  });

  test('retransmissions with the same bytes, and bytes older than the kept tail, are no conflict', () => {
    const { r, log, seg } = setup();
    r.push(seg(1, 'abcd'));
    r.push(seg(3, 'cdef'));
    r.push(seg(7, 'x'.repeat(2000)));
    r.push(seg(1, 'ZZZZ')); // 2006 bytes back: no longer held, cannot be compared
    expect(log).toEqual(['abcd', 'ef', 'x'.repeat(2000)]);
    expect(r.stats).toMatchObject({ conflicts: 0, retransmissions: 1 });
  });
});
