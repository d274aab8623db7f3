import { LINKTYPE, PacketDecoder, type DecodeResult } from './decode';
import { ipv6At } from './ip-address';
import { ethernet, fragmentHeader, gre, hopByHop, ipv4, ipv6, sctpData, sll, sll2, tcp, TCP, udp } from './test-support/frames';

const SIP = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
const v6a = Buffer.from('20010db8000000000000000000000001', 'hex');
const v6b = Buffer.from('fe800000000000000000000000000002', 'hex');

function packet(r: DecodeResult) {
  if (!r.ok) throw new Error(`skipped: ${r.skip}`);
  return r.packet;
}

const decode = (linkType: number, frame: Buffer) => new PacketDecoder().decode(linkType, frame, 0);
const udpV4 = ipv4(17, '192.0.2.1', '198.51.100.2', udp(5060, 5062, SIP));

describe('link layers', () => {
  test.each([
    ['Ethernet', LINKTYPE.ETHERNET, ethernet(0x0800, udpV4)],
    ['Ethernet with 802.1Q', LINKTYPE.ETHERNET, ethernet(0x0800, udpV4, [100])],
    ['Ethernet with QinQ', LINKTYPE.ETHERNET, ethernet(0x0800, udpV4, [100, 200])],
    ['Ethernet with PPPoE', LINKTYPE.ETHERNET, ethernet(0x8864, Buffer.concat([Buffer.from([0x11, 0, 0, 1, 0, 0, 0x00, 0x21]), udpV4]))],
    ['Ethernet with MPLS', LINKTYPE.ETHERNET, ethernet(0x8847, Buffer.concat([Buffer.from([0, 1, 0x01, 64]), udpV4]))],
    ['Linux SLL', LINKTYPE.LINUX_SLL, sll(0x0800, udpV4)],
    ['Linux SLL2', LINKTYPE.LINUX_SLL2, sll2(0x0800, udpV4)],
    ['raw (101)', LINKTYPE.RAW, udpV4],
    ['raw IPv4 (228)', LINKTYPE.IPV4, udpV4],
    ['BSD loopback, host order', LINKTYPE.NULL, Buffer.concat([Buffer.from([2, 0, 0, 0]), udpV4])],
    ['BSD loopback, network order', LINKTYPE.NULL, Buffer.concat([Buffer.from([0, 0, 0, 2]), udpV4])],
    ['OpenBSD loop', LINKTYPE.LOOP, Buffer.concat([Buffer.from([0, 0, 0, 2]), udpV4])],
  ])('%s', (_name, linkType, frame) => {
    expect(packet(decode(linkType, frame))).toMatchObject({ protocol: 'udp', src: '192.0.2.1', dst: '198.51.100.2', srcPort: 5060, dstPort: 5062, payload: SIP });
  });

  test('Ethernet padding is cut by the IP total length', () => {
    const frame = Buffer.concat([ethernet(0x0800, ipv4(17, '10.0.0.1', '10.0.0.2', udp(1, 2, Buffer.from('x')))), Buffer.alloc(20)]);
    expect(packet(decode(LINKTYPE.ETHERNET, frame)).payload.toString()).toBe('x');
  });

  test('frames without IP are skipped with a reason', () => {
    expect(decode(LINKTYPE.ETHERNET, ethernet(0x0806, Buffer.alloc(28)))).toEqual({ ok: false, skip: 'not-ip' });
    expect(decode(147, Buffer.alloc(40))).toEqual({ ok: false, skip: 'link-unsupported' });
    expect(decode(LINKTYPE.ETHERNET, Buffer.alloc(10))).toEqual({ ok: false, skip: 'truncated' });
    expect(decode(LINKTYPE.RAW, ipv4(1, '10.0.0.1', '10.0.0.2', Buffer.alloc(8)))).toEqual({ ok: false, skip: 'icmp' });
  });
});

describe('IPv6', () => {
  test('addresses are written in RFC 5952 form', () => {
    expect(ipv6At(v6a, 0)).toBe('2001:db8::1');
    expect(ipv6At(v6b, 0)).toBe('fe80::2');
    expect(ipv6At(Buffer.from('00000000000000000000ffffc0000201', 'hex'), 0)).toBe('::ffff:192.0.2.1');
    expect(ipv6At(Buffer.from('20010db8000000010000000000000001', 'hex'), 0)).toBe('2001:db8:0:1::1');
    expect(ipv6At(Buffer.from('20010db8000100020003000400050006', 'hex'), 0)).toBe('2001:db8:1:2:3:4:5:6');
  });

  test('extension headers are skipped', () => {
    const frame = ipv6(17, v6a, v6b, udp(5060, 5060, SIP), [hopByHop()]);
    expect(packet(decode(LINKTYPE.IPV6, frame))).toMatchObject({ src: '2001:db8::1', dst: 'fe80::2', payload: SIP });
  });

  test('fragments are reassembled', () => {
    const datagram = udp(5060, 5060, Buffer.concat([SIP, Buffer.alloc(100, 0x41)]));
    const d = new PacketDecoder();
    const second = ipv6(17, v6a, v6b, datagram.subarray(64), [fragmentHeader(64, false, 7)]);
    const first = ipv6(17, v6a, v6b, datagram.subarray(0, 64), [fragmentHeader(0, true, 7)]);
    expect(d.decode(LINKTYPE.IPV6, second, 0)).toEqual({ ok: false, skip: 'fragment-held' });
    expect(packet(d.decode(LINKTYPE.IPV6, first, 1)).payload.length).toBe(SIP.length + 100);
    expect(d.defrag.stats).toEqual({ fragments: 2, reassembled: 1, dropped: 0, overlaps: 0, duplicates: 0 });
  });
});

describe('IPv4 fragments', () => {
  const datagram = udp(5060, 5060, Buffer.concat([SIP, Buffer.alloc(3000, 0x42)]));
  const pieces = [0, 1480, 2960].map((offset) =>
    ipv4(17, '192.0.2.1', '192.0.2.2', datagram.subarray(offset, offset + 1480), { id: 99, offset, more: offset + 1480 < datagram.length }),
  );

  test('out-of-order fragments make one datagram', () => {
    const d = new PacketDecoder();
    expect(d.decode(LINKTYPE.RAW, pieces[2]!, 0).ok).toBe(false);
    expect(d.decode(LINKTYPE.RAW, pieces[0]!, 1).ok).toBe(false);
    const whole = packet(d.decode(LINKTYPE.RAW, pieces[1]!, 2));
    expect(whole.payload.subarray(0, SIP.length)).toEqual(SIP);
    expect(whole.payload.length).toBe(SIP.length + 3000);
  });

  test('an incomplete datagram is dropped after the timeout and the cap holds', () => {
    const d = new PacketDecoder({ maxFragmentedDatagrams: 4, fragmentTimeoutMs: 1000 });
    d.decode(LINKTYPE.RAW, pieces[0]!, 0);
    d.decode(LINKTYPE.RAW, ipv4(17, '192.0.2.9', '192.0.2.2', Buffer.alloc(8), { id: 1, more: true }), 5000);
    expect(d.defrag.stats.dropped).toBe(1);
    for (let id = 2; id < 10; id++) d.decode(LINKTYPE.RAW, ipv4(17, '192.0.2.9', '192.0.2.2', Buffer.alloc(8), { id, more: true }), 5000);
    expect(d.defrag.stats.dropped).toBe(6);
  });
});

describe('tunnels', () => {
  const inner = ethernet(0x0800, udpV4);
  test.each([
    ['GRE transparent Ethernet bridging with a key', gre(0x6558, inner, { key: true })],
    ['ERSPAN type II', gre(0x88be, Buffer.concat([Buffer.alloc(8), inner]), { seq: true })],
    ['ERSPAN type I', gre(0x88be, inner)],
    ['ERSPAN type III', gre(0x22eb, Buffer.concat([Buffer.alloc(12), inner]), { seq: true })],
    ['ERSPAN type III with platform sub-header', gre(0x22eb, Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), Buffer.alloc(8), inner]), { seq: true })],
    ['GRE carrying IPv4', gre(0x0800, udpV4)],
  ])('%s', (_name, tunnel) => {
    const frame = ethernet(0x0800, ipv4(47, '10.1.1.1', '10.2.2.2', tunnel));
    expect(packet(decode(LINKTYPE.ETHERNET, frame))).toMatchObject({ src: '192.0.2.1', dst: '198.51.100.2', payload: SIP });
  });

  test('tunnels nested without end stop at four levels', () => {
    let frame = udpV4;
    for (let i = 0; i < 6; i++) frame = ipv4(4, '10.0.0.1', '10.0.0.2', frame);
    expect(decode(LINKTYPE.RAW, frame)).toEqual({ ok: false, skip: 'too-deep' });
  });
});

describe('transports', () => {
  test('TCP: ports, sequence number, flags, payload after options-free header', () => {
    const frame = ipv4(6, '192.0.2.1', '192.0.2.2', tcp(40000, 5060, 0xfffffff0, TCP.PSH | TCP.ACK, SIP));
    expect(packet(decode(LINKTYPE.RAW, frame))).toMatchObject({ protocol: 'tcp', seq: 0xfffffff0, flags: 0x18, payload: SIP });
  });

  test('SCTP: DATA chunks with their flags', () => {
    const frame = ipv4(132, '192.0.2.1', '192.0.2.2', sctpData(5060, 5060, [
      { tsn: 1, begin: true, end: false, data: Buffer.from('abc') },
      { tsn: 2, begin: false, end: true, data: Buffer.from('de') },
    ]));
    const p = packet(decode(LINKTYPE.RAW, frame));
    expect(p.sctp?.map((c) => [c.tsn, c.begin, c.end, c.data.toString()])).toEqual([
      [1, true, false, 'abc'],
      [2, false, true, 'de'],
    ]);
  });
});

test('20,000 random and mutated frames never throw', () => {
  let x = 7;
  const rand = (n: number) => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x % n;
  };
  const seeds = [ethernet(0x0800, udpV4, [5]), ethernet(0x86dd, ipv6(17, v6a, v6b, udp(1, 2, SIP), [hopByHop()])), ethernet(0x0800, ipv4(47, '1.1.1.1', '2.2.2.2', gre(0x22eb, Buffer.concat([Buffer.alloc(12), ethernet(0x0800, udpV4)]))))];
  const d = new PacketDecoder();
  const linkTypes = Object.values(LINKTYPE);
  for (let i = 0; i < 20_000; i++) {
    const frame = Buffer.from(seeds[rand(seeds.length)]!);
    for (let k = 0; k < 1 + rand(8); k++) frame[rand(frame.length)] = rand(256);
    const cut = frame.subarray(0, rand(frame.length + 1));
    expect(() => d.decode(linkTypes[rand(linkTypes.length)]!, cut, i)).not.toThrow();
  }
});

describe('overlapping fragments with different bytes', () => {
  const datagram = udp(5060, 5060, Buffer.concat([SIP, Buffer.alloc(100, 0x41)]));
  const forged = Buffer.from(datagram.subarray(0, 64));
  forged.write('Zoiper', 40);

  test('an IPv6 datagram is dropped and counted', () => {
    const d = new PacketDecoder();
    d.decode(LINKTYPE.IPV6, ipv6(17, v6a, v6b, datagram.subarray(0, 64), [fragmentHeader(0, true, 9)]), 0);
    d.decode(LINKTYPE.IPV6, ipv6(17, v6a, v6b, forged, [fragmentHeader(0, true, 9)]), 1);
    expect(d.decode(LINKTYPE.IPV6, ipv6(17, v6a, v6b, datagram.subarray(64), [fragmentHeader(64, false, 9)]), 2)).toEqual({ ok: false, skip: 'fragment-held' });
    expect(d.defrag.stats).toMatchObject({ overlaps: 1, reassembled: 0 });
  });

  test('an IPv4 datagram is dropped and counted', () => {
    const d = new PacketDecoder();
    d.decode(LINKTYPE.RAW, ipv4(17, '192.0.2.1', '192.0.2.2', datagram.subarray(0, 64), { id: 5, more: true }), 0);
    d.decode(LINKTYPE.RAW, ipv4(17, '192.0.2.1', '192.0.2.2', forged, { id: 5, more: true }), 1);
    expect(d.decode(LINKTYPE.RAW, ipv4(17, '192.0.2.1', '192.0.2.2', datagram.subarray(64), { id: 5, offset: 64 }), 2).ok).toBe(false);
    expect(d.defrag.stats).toMatchObject({ overlaps: 1, reassembled: 0 });
  });
});
