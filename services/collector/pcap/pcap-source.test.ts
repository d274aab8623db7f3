// The whole pipeline on the shared captures: every file reads to its end, every record validates
// against the v1 schemas, and the protocol-specific paths produce what the capture contains.
import fs from 'node:fs';
import path from 'node:path';
import { validateMediaFlow, validateSipFlow } from '../../core/validate';
import { DATA_DIR, dataPath } from '../sip/test-support/data-dir';
import { CaptureError } from './capture-error';
import { readCaptureFlows } from './pcap-source';
import { removeTempFiles, tempFile } from './test-support/capture-file';
import { runCapture, type CaptureRun } from './test-support/run-capture';

afterAll(removeTempFiles);

const captures = ['pcap-attacks', 'pcap-benign', 'pcap-encrypted']
  .flatMap((dir) => fs.readdirSync(path.join(DATA_DIR, dir)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${dir}/${f}`))
  .concat('lab-dev/pbx.pcap');

const runs = new Map<string, Promise<CaptureRun>>();
const run = (name: string): Promise<CaptureRun> => {
  let r = runs.get(name);
  if (!r) runs.set(name, (r = runCapture(dataPath(name), { observerId: 'test-sensor' })));
  return r;
};

describe.each(captures)('%s', (name) => {
  test('reads to the end with no error, and every record validates', async () => {
    const { sip, media, stats } = await run(name);
    expect(Object.keys(stats.errors).filter((k) => k.startsWith('capture/') || k.startsWith('internal/'))).toEqual([]);
    expect(stats.file).toMatchObject({ truncatedTail: false, bytesRead: fs.statSync(dataPath(name)).size });
    expect(stats.errors['sip/internal-error']).toBeUndefined();
    const invalid = [
      ...sip.filter((f) => !validateSipFlow(f)).map(() => validateSipFlow.lastError()),
      ...media.filter((f) => !validateMediaFlow(f)).map(() => validateMediaFlow.lastError()),
    ];
    expect(invalid).toEqual([]);
  });
});

describe('transports', () => {
  test('SIP over WebSocket: frames unmasked, transport ws, proven by the connection', async () => {
    const { sip, stats } = await run('pcap-benign/heplify_sip_tcp_websocket.pcap');
    const ws = sip.filter((f) => f.network.transport === 'ws');
    expect(ws.map((f) => `${f.sip.method} ${f.sip.status ?? '-'}`)).toEqual(['INVITE 407', 'INVITE 200', 'ACK -', 'BYE 200']);
    expect(ws.every((f) => f.sip.source_proven)).toBe(true);
    expect(stats.websocket).toMatchObject({ messages: 11, dropped: 0, errors: 0 });
    expect(stats.tcp.streams.websocket).toBe(2);
  });

  test('SIP over TCP with a retransmitted segment: each message once', async () => {
    const { sip, stats } = await run('pcap-benign/heplify_sip_ipv4_tcp_retrans.pcap');
    expect(sip.filter((f) => f.network.transport === 'tcp').map((f) => `${f.sip.method} ${f.sip.status}`)).toEqual(['REGISTER 401', 'REGISTER 200']);
    expect(stats.tcp.retransmissions).toBeGreaterThanOrEqual(1);
    expect(stats.sip.responsesByStatus['200 REGISTER']).toBe(2); // one over TCP, one over UDP
  });

  test('SIP over SCTP, with an INVITE split over two DATA chunks', async () => {
    const { sip, stats } = await run('pcap-benign/heplify_sip_sctp.pcap');
    // proven by its ACK, which echoed the 403's tag (the association itself proves nothing: tcp-proof.test.ts)
    expect(sip.map((f) => [f.network.transport, f.sip.method, f.sip.status, f.sip.source_proven])).toEqual([['sctp', 'INVITE', 403, true]]);
    expect(stats.sctp).toMatchObject({ messages: 4, dropped: 0 });
  });

  test('ERSPAN: flows carry the mirrored addresses, not the tunnel endpoints', async () => {
    const { sip } = await run('pcap-benign/heplify_erspan_sip_ipv4_udp.pcapng');
    expect(sip.length).toBeGreaterThan(40);
    const sources = new Set(sip.map((f) => f.source.ip));
    expect(sources.has('192.168.1.213')).toBe(false); // the ERSPAN/GRE sender
    expect(sources.has('180.173.83.248')).toBe(true); // a mirrored phone
  });

  test('IPv6 addresses in RFC 5952 form', async () => {
    const { sip } = await run('pcap-benign/heplify_sip_ipv6_udp.pcap');
    expect(sip[0]!.source.ip).toBe('fe80::21a:a0ff:fe07:32e0');
  });

  test('TLS on 5061: no SIP readable, the connections and their version are reported', async () => {
    const { sip, stats } = await run('pcap-encrypted/sngrep_tlssaved-sip-tls-5061.pcap');
    expect(sip).toEqual([]);
    expect(stats.tls).toMatchObject({ connections: 2, sipConnections: 2, versions: { '1.0': 2 } });
    expect(stats.tls.sessions.map((s) => [s.server.port, s.version, s.versionFrom])).toEqual([
      [5061, '1.0', 'record-layer'],
      [5061, '1.0', 'record-layer'],
    ]);
  });
});

describe('media', () => {
  test('G.711 calls: one stream per SSRC with the codec the SDP negotiated', async () => {
    const { media } = await run('pcap-benign/sipnab_sip-rtp-g711.pcap');
    expect(media.map((m) => [m.media.codec, m.media.packets, m.media.lost, m.media.srtp])).toEqual([
      ['PCMU', 425, 0, false],
      ['PCMA', 414, 0, false],
    ]);
    expect(media[0]!.media.call_id).toBe('1-1966@10.0.2.20');
    expect(media.every((m) => m.media.jitter_ms! < 0.1)).toBe(true);
  });

  test('ZRTP: the SDP says RTP/AVP, the media path says encrypted; losses match tshark', async () => {
    const { media, stats } = await run('pcap-encrypted/sipnab_Asterisk_ZFONE_XLITE-zrtp.pcap');
    const main = media.filter((m) => m.media.packets > 100);
    expect(main.map((m) => [m.media.packets, m.media.lost, m.media.srtp])).toEqual([
      [205, 369, true],
      [790, 1, true],
    ]);
    expect(stats.media.zrtpPackets).toBe(10);
  });
});

describe('the lab capture (pbx.pcap) against its ground truth', () => {
  const inForgedRange = (ip: string) => ip.startsWith('198.18.0.') && Number(ip.split('.')[3]) >= 128;

  test('INVITEs from forged sources are never proven; the real attackers are', async () => {
    const { sip } = await run('lab-dev/pbx.pcap');
    const forged = sip.filter((f) => inForgedRange(f.source.ip));
    expect(forged.length).toBe(883);
    expect(forged.filter((f) => f.sip.source_proven)).toEqual([]);
    const flood = sip.filter((f) => f.source.ip === '198.18.0.68' && f.sip.method === 'INVITE');
    expect(flood.length).toBe(3000);
    expect(flood.every((f) => f.sip.source_proven && f.sip.status === 407)).toBe(true); // each 407 was ACKed
    const fraud = sip.filter((f) => f.source.ip === '198.18.0.67' && f.sip.method === 'INVITE' && f.sip.status === 200);
    expect(fraud.map((f) => [f.sip.auth_user, f.sip.source_proven])).toEqual(Array(18).fill(['105', true]));
    const scan = sip.filter((f) => f.source.ip === '198.18.0.66');
    expect(scan.some((f) => f.sip.source_proven)).toBe(false);
  });

  test('the forged copies of a real phone\'s address stay unproven while the phone itself is proven', async () => {
    const { sip } = await run('lab-dev/pbx.pcap');
    const phone = sip.filter((f) => f.source.ip === '198.18.0.101' && f.sip.method === 'INVITE');
    expect(phone.filter((f) => !f.sip.source_proven).length).toBe(617); // the forged ones (labels.json)
    expect(phone.filter((f) => f.sip.source_proven && f.sip.status === 200).length).toBe(8);
  });

  test('dialed numbers and user agents are in the records', async () => {
    const { sip } = await run('lab-dev/pbx.pcap');
    const fraud = sip.filter((f) => f.source.ip === '198.18.0.67' && f.sip.method === 'INVITE' && f.sip.status === 200);
    expect(fraud[0]!.sip.to?.user).toBe('008816802801');
    expect(sip.find((f) => f.source.ip === '198.18.0.68')!.user_agent?.original).toBe('sipcli/v1.8');
  });
});

test('progress is reported up to the total size', async () => {
  const seen: Array<[number, number]> = [];
  await runCapture(dataPath('lab-dev/pbx.pcap'), { onProgress: (read, total) => seen.push([read, total]), progressEveryBytes: 1 << 20 });
  const size = fs.statSync(dataPath('lab-dev/pbx.pcap')).size;
  expect(seen.length).toBeGreaterThan(5);
  expect(seen.at(-1)).toEqual([size, size]);
  expect(seen.every(([read], i) => i === 0 || read >= seen[i - 1]![0])).toBe(true);
});

test('tiny state limits: the capture still completes, records still validate, evictions are counted', async () => {
  const { sip, stats } = await runCapture(dataPath('lab-dev/pbx.pcap'), {
    correlator: { maxTransactions: 5, maxEarlyCalls: 50, maxDialogs: 5, maxNonces: 20 },
    media: { maxEndpoints: 10, maxStreams: 2 },
    tcp: { maxFlows: 2 },
  });
  expect(sip.length).toBeGreaterThan(7000);
  expect(sip.every((f) => validateSipFlow(f))).toBe(true);
  expect(stats.sip.evicted.transactions).toBeGreaterThan(0);
  expect(stats.sip.evicted.nonces).toBeGreaterThan(0);
});

test('the same capture gives the same records', async () => {
  const file = dataPath('pcap-benign/sipnab_b2bua-asterisk.pcapng');
  const a = await runCapture(file);
  const b = await runCapture(file);
  expect(b.sip).toEqual(a.sip);
  expect(b.media).toEqual(a.media);
});

test('a corrupt capture: what was read becomes records, then the error says where', async () => {
  const bytes = fs.readFileSync(dataPath('lab-dev/pbx.pcap'));
  let offset = 24; // walk to the 5000th record
  for (let i = 0; i < 5000; i++) offset += 16 + bytes.readUInt32LE(offset + 8);
  const corrupt = Buffer.from(bytes.subarray(0, offset + 4096));
  corrupt.writeUInt32LE(0x7fffffff, offset + 8); // its captured length
  const records: unknown[] = [];
  let error: unknown;
  try {
    for await (const r of readCaptureFlows(tempFile('corrupt.pcap', corrupt))) records.push(r);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(CaptureError);
  expect(error).toMatchObject({ code: 'corrupt', offset });
  expect(records.length).toBeGreaterThan(1000);
});
