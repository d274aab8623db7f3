import path from 'node:path';
import { DATA_DIR } from '../collector/sip/test-support/data-dir';
import { runCli } from './test-io';

// a SIP account name carrying CR, cursor movements and a newline that forges a DECISION line
const forged = path.join(DATA_DIR, 'adversarial/ansi-newline.ndjson');

describe('callsentry replay of text built to forge output lines', () => {
  it('prints one escaped line per finding and decision, never a forged line or a terminal escape', async () => {
    const { code, out } = await runCli(['replay', '--quiet', forged]);
    expect(code).toBe(0);
    const lines = out.filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(/^2026-01-01T00:00:07\.000Z {2}(FINDING|DECISION) /);
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    // what the network sent is still there to read, escaped
    expect(lines.join('\n')).toContain('account 105\\r\\e[2K\\e[1A\\e[2K2026-01-01T00:00:07.000Z');
    // the only decisions are the ones callsentry made: no operator unblock
    expect(lines.filter((l) => /^\S+ {2}DECISION {2}\S+ +operator /.test(l))).toEqual([]);
  });

  it('keeps --json exact: the value round-trips through JSON unchanged', async () => {
    const { out } = await runCli(['replay', '--quiet', '--json', forged]);
    const finding = out.filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.kind === 'finding' && l.detector === 'fraud/destination-risk');
    expect(finding.reason).toMatch(/\(account 105\r\u001b\[2K\u001b\[1A\u001b\[2K2026/);
  });
});

describe('callsentry replay of overlapping IP fragments', () => {
  // the first copy of the first fragment says friendly-scanner, an overlapping one Zoiper
  const overlap = path.join(DATA_DIR, 'adversarial/overlap-scanner-first.pcap');

  it('drops the datagram, says so in the capture summary, and reads no record out of it', async () => {
    const { code, out, err } = await runCli(['replay', '--json', overlap]);
    expect(code).toBe(0);
    expect(err.join('\n')).toContain('; 1 IP datagrams dropped: their fragments overlapped with different bytes');
    expect(err.join('\n')).toMatch(/replay: 0 lines, 1 captures, 0 records accepted/);
    expect(out.filter(Boolean)).toEqual([]);
  });
});
