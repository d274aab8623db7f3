import fs from 'node:fs';
import { dataPath } from '../sip/test-support/data-dir';
import { CaptureError } from './capture-error';
import { createReaderStats, readPackets, type CapturedPacket, type ReadOptions } from './pcap-reader';
import { PcapngBuilder, pcapBytes, removeTempFiles, tempFile } from './test-support/capture-file';

afterAll(removeTempFiles);

async function readAll(file: string, options: ReadOptions = {}): Promise<Array<Omit<CapturedPacket, 'data'> & { data: string }>> {
  const out = [];
  for await (const p of readPackets(file, options)) out.push({ ...p, data: p.data.toString('hex') });
  return out;
}

async function failure(file: string, options: ReadOptions = {}): Promise<CaptureError> {
  try {
    await readAll(file, options);
  } catch (err) {
    if (err instanceof CaptureError) return err;
    throw err;
  }
  throw new Error('expected a CaptureError');
}

const a = Buffer.from('aabbcc', 'hex');
const b = Buffer.from('0102030405', 'hex');

describe('classic pcap', () => {
  test.each([
    ['little-endian, microseconds', { littleEndian: true, nano: false }],
    ['big-endian, microseconds', { littleEndian: false, nano: false }],
    ['little-endian, nanoseconds', { littleEndian: true, nano: true }],
    ['big-endian, nanoseconds', { littleEndian: false, nano: true }],
  ])('%s', async (_name, opts) => {
    const file = tempFile('t.pcap', pcapBytes([{ timeMs: 1_700_000_000_123.456, data: a }, { timeMs: 1_700_000_001_000, data: b }], { ...opts, linkType: 113 }));
    const packets = await readAll(file);
    expect(packets.map((p) => [p.linkType, p.data, p.originalLength])).toEqual([
      [113, 'aabbcc', 3],
      [113, '0102030405', 5],
    ]);
    expect(packets[0]!.timeMs).toBeCloseTo(1_700_000_000_123.456, 3);
    expect(packets[1]!.timeMs).toBe(1_700_000_001_000);
  });

  test('a capture bigger than the read chunk streams through', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ timeMs: i, data: Buffer.alloc(700, i & 0xff) }));
    const stats = createReaderStats();
    const file = tempFile('big.pcap', pcapBytes(many));
    let n = 0;
    for await (const p of readPackets(file, { stats })) {
      expect(p.data[0]).toBe(n & 0xff);
      n++;
    }
    expect(n).toBe(3000);
    expect(stats).toMatchObject({ format: 'pcap', packets: 3000, truncatedTail: false, bytesRead: fs.statSync(file).size });
  });
});

describe('pcapng', () => {
  test('per-interface link type and timestamp resolution, simple packets, unknown blocks skipped', async () => {
    const bytes = new PcapngBuilder()
      .section()
      .interface(1) // default resolution: microseconds
      .interface(101, 9) // nanoseconds
      .interface(113, 0x80 | 10) // 2^-10 seconds
      .enhanced(0, 1_700_000_000_000_000n, a)
      .block(0x0bad, Buffer.from('custom block the reader does not know'))
      .enhanced(1, 1_700_000_000_500_000_000n, b)
      .enhanced(2, 1024n * 60n, a)
      .simple(b)
      .bytes();
    const stats = createReaderStats();
    const packets = await readAll(tempFile('t.pcapng', bytes), { stats });
    expect(packets.map((p) => [p.linkType, p.timeMs, p.data])).toEqual([
      [1, 1_700_000_000_000, 'aabbcc'],
      [101, 1_700_000_000_500, '0102030405'],
      [113, 60_000, 'aabbcc'],
      [1, 0, '0102030405'], // simple packet blocks have no timestamp
    ]);
    expect(stats).toMatchObject({ format: 'pcapng', packets: 4, skippedBlocks: 1 });
  });

  test('a second section may switch byte order and redefines interfaces', async () => {
    const bytes = Buffer.concat([
      new PcapngBuilder(true).section().interface(1).enhanced(0, 1000n, a).bytes(),
      new PcapngBuilder(false).section().interface(228).enhanced(0, 2000n, b).bytes(),
    ]);
    const packets = await readAll(tempFile('two.pcapng', bytes));
    expect(packets.map((p) => [p.linkType, p.timeMs, p.data])).toEqual([
      [1, 1, 'aabbcc'],
      [228, 2, '0102030405'],
    ]);
  });
});

describe('corrupt files end with a CaptureError', () => {
  const good = pcapBytes([{ timeMs: 1000, data: a }, { timeMs: 2000, data: b }]);

  test('unknown magic', async () => {
    expect(await failure(tempFile('x.pcap', Buffer.from('not a capture at all')))).toMatchObject({ code: 'not-a-capture', offset: 0 });
  });

  test('an impossible record length', async () => {
    const bad = Buffer.from(good);
    bad.writeUInt32LE(10_000_000, 24 + 8); // incl_len of the first record
    expect(await failure(tempFile('x.pcap', bad))).toMatchObject({ code: 'corrupt', offset: 24 });
  });

  test('a pcapng block whose trailer disagrees with its header', async () => {
    const bytes = new PcapngBuilder().section().interface(1).enhanced(0, 1n, a).bytes();
    bytes.writeUInt32LE(999, bytes.length - 4);
    expect((await failure(tempFile('x.pcapng', bytes))).code).toBe('corrupt');
  });

  test('a packet for an interface that was never declared', async () => {
    const bytes = new PcapngBuilder().section().interface(1).enhanced(3, 1n, a).bytes();
    expect((await failure(tempFile('x.pcapng', bytes))).message).toContain('undeclared interface 3');
  });

  test('a cut last record is tolerated and flagged, or refused when asked', async () => {
    const cut = good.subarray(0, good.length - 2);
    const stats = createReaderStats();
    expect((await readAll(tempFile('cut.pcap', cut), { stats })).length).toBe(1);
    expect(stats.truncatedTail).toBe(true);
    expect(await failure(tempFile('cut.pcap', cut), { allowTruncatedTail: false })).toMatchObject({ code: 'truncated' });
  });

  test('a file cut inside its header', async () => {
    expect((await failure(tempFile('x.pcap', good.subarray(0, 10)))).code).toBe('truncated');
  });

  test('a missing file', async () => {
    expect((await failure('/nonexistent/capture.pcap')).code).toBe('io');
  });

  test('300 mutated captures: every read ends cleanly or with a CaptureError', async () => {
    const seed = fs.readFileSync(dataPath('pcap-benign', 'heplify_sip_sctp.pcap'));
    const seedNg = fs.readFileSync(dataPath('pcap-attacks', 'sipnab_sip-auth-failure.pcapng'));
    let x = 12345;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) >>> 0;
      return x % n;
    };
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(i % 2 ? seed : seedNg);
      for (let k = 0; k < 1 + rand(6); k++) m[rand(Math.min(m.length, 200))] = rand(256);
      const file = tempFile('m.pcap', m.subarray(0, m.length - rand(40)));
      try {
        await readAll(file);
      } catch (err) {
        expect(err).toBeInstanceOf(CaptureError);
      }
    }
  });
});

describe('the shared captures', () => {
  const expected: Record<string, number> = {
    'pcap-attacks/initconf_BadUserAgent-sipvicious.pcap': 26,
    'pcap-attacks/sipnab_sip-auth-failure.pcapng': 8,
    'pcap-attacks/wswiki_metasploit-sip-invite-spoof.pcap': 3,
    'pcap-benign/heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap': 7217,
    'pcap-benign/heplify_erspan_sip_ipv4_udp.pcapng': 140,
    'pcap-benign/heplify_rtp_rtcp_sip_ipv4_udp.pcap': 4269,
    'pcap-benign/heplify_sip_ipv4_tcp.pcap': 84,
    'pcap-benign/heplify_sip_ipv4_tcp_retrans.pcap': 196,
    'pcap-benign/heplify_sip_ipv6_udp.pcap': 6,
    'pcap-benign/heplify_sip_sctp.pcap': 5,
    'pcap-benign/heplify_sip_tcp_websocket.pcap': 61,
    'pcap-benign/sipnab_DTMFsipinfo.pcap': 32,
    'pcap-benign/sipnab_b2bua-asterisk.pcapng': 416,
    'pcap-benign/sipnab_sip-rtp-g711.pcap': 852,
    'pcap-benign/sipnab_sipp-branch-scenario.pcapng': 8989,
    'pcap-benign/sngrep_aaa.pcap': 691,
    'pcap-encrypted/sipnab_Asterisk_ZFONE_XLITE-zrtp.pcap': 1042,
    'pcap-encrypted/sngrep_tlssaved-sip-tls-5061.pcap': 12,
    'pcap-encrypted/srtpdecoder_WebRTC_PCMA_p2p_SDES_Call_1.pcap': 1425,
    'lab-dev/pbx.pcap': 19883,
  };

  test.each(Object.entries(expected))('%s: %i packets, to the last byte', async (name, count) => {
    const stats = createReaderStats();
    let n = 0;
    for await (const _packet of readPackets(dataPath(name), { stats })) n++;
    expect(n).toBe(count);
    expect(stats).toMatchObject({ truncatedTail: false, bytesRead: fs.statSync(dataPath(name)).size });
  });
});
