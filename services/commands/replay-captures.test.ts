// `callsentry replay` over every shared capture: runs to the end, says what each capture held, and
// every record it produced passes the edge's schema validation. (That the counts match tshark's is
// tested on the same reader in collector/pcap/tshark-compare.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR } from '../collector/sip/test-support/data-dir';
import { runCapture } from '../collector/pcap/test-support/run-capture';
import { pcapBytes, tempFile } from '../collector/pcap/test-support/capture-file';
import { ethernet, ipv4, udp } from '../collector/pcap/test-support/frames';
import { runCli } from './test-io';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callsentry-captures-'));

const captures = ['pcap-attacks', 'pcap-benign', 'pcap-encrypted', 'lab-dev']
  .flatMap((dir) => fs.readdirSync(path.join(DATA_DIR, dir)).filter((f) => /\.pcap(ng)?$/.test(f) && f !== 'lan.pcap').map((f) => path.join(DATA_DIR, dir, f)));

describe('callsentry replay over the shared captures', () => {
  it('reads every capture to the end with the same counts as the capture reader, rejecting no record', async () => {
    const { code, err } = await runCli(['replay', '--json', ...captures]);
    expect(code).toBe(0);
    const lines = err.filter((l) => l.startsWith('capture '));
    expect(lines).toHaveLength(captures.length);
    let records = 0;
    for (const [i, file] of captures.entries()) {
      const run = await runCapture(file);
      records += run.sip.length + run.media.length;
      const s = run.stats;
      expect(lines[i]).toContain(
        `capture ${file}: ${s.packets} packets, ${s.sip.messages} SIP messages (${s.sip.requests} requests, ${s.sip.responses} responses), ` +
          `${s.sip.transactions} transactions, ${s.sip.dialogs} dialogs, ${s.media.streams} media streams`,
      );
      expect(lines[i]).not.toMatch(/internal\//);
    }
    expect(err.join('\n')).toMatch(new RegExp(`${captures.length} captures, ${records} records accepted .* rejected: none, dead letters: 0`));
  });

  it('replays a capture cut short up to the cut and says so', async () => {
    const cut = path.join(tmp, 'cut.pcap');
    fs.writeFileSync(cut, fs.readFileSync(path.join(DATA_DIR, 'pcap-benign/sngrep_aaa.pcap')).subarray(0, 50_000));
    const { code, err } = await runCli(['replay', cut]);
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/cut\.pcap: \d+ packets, .*; the file ends inside a record/);
  });

  it('names the damage of a corrupt capture with its byte offset and exits 1', async () => {
    const bad = path.join(tmp, 'bad.pcapng');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(64, 7)]));
    const { code, err } = await runCli(['replay', bad]);
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/bad\.pcapng: .* at byte \d+ \[BAD_CAPTURE\]; the 0 records read before it are kept/);
  });

  it('dead-letters malformed SIP messages with their reason, and detects a flood of them', async () => {
    const frame = (payload: string) => ethernet(0x0800, ipv4(17, '203.0.113.5', '192.0.2.10', udp(5060, 5060, Buffer.from(payload, 'latin1'))));
    const good = 'OPTIONS sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:pbx.example>\r\nCall-ID: ok-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    const bad = 'OPTIONS sip:pbx.example SIP/2.0\r\nVia SIP/2.0/UDP \x00\x01\r\nCSeq: one OPTIONS\r\n\r\n';
    // 25 unparsable messages in 2.5 s from one source, then one good one
    const packets = [...Array.from({ length: 25 }, (_, i) => ({ timeMs: 1_000 + i * 100, data: frame(bad) })), { timeMs: 4_000, data: frame(good) }];
    const file = tempFile('malformed.pcap', pcapBytes(packets));
    const { code, out, err } = await runCli(['replay', '--json', file]);
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/26 records accepted \(1 sip, 0 media, 25 malformed sip\), rejected: MALFORMED_SIP=25, dead letters: 25/);
    const lines = out.filter(Boolean).map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.kind} ${l.detector} ${l.key?.value ?? l.target.value}`).sort()).toEqual([
      'decision sip/malformed-flood 203.0.113.5',
      'finding sip/malformed-flood 203.0.113.5',
    ]);
  });
});
