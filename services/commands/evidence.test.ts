// `callsentry evidence export` on the lab-dev capture: the findings of a replay and the evidence
// records the collector sampled from the same capture, as NDJSON, into a pcap tshark reads back.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DEFAULT_CONFIG } from '../core/config';
import { silentLogger } from '../core/ports';
import type { Finding, SipEvidence } from '../core/records';
import { evidenceOptions } from '../collector/evidence/settings';
import { readCaptureFlows } from '../collector/pcap/pcap-source';
import { DATA_DIR } from '../collector/sip/test-support/data-dir';
import type { CommandIo } from './io';
import { replayFiles } from './replay-pipeline';
import { runCli } from './test-io';

const PBX = path.join(DATA_DIR, 'lab-dev/pbx.pcap');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'callsentry-evidence-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let findings: Finding[];
let evidence: SipEvidence[];
let input: string;

beforeAll(async () => {
  const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };
  findings = (await replayFiles([PBX], structuredClone(DEFAULT_CONFIG), io, { log: silentLogger })).findings;
  evidence = [];
  for await (const r of readCaptureFlows(PBX, { media: false, observerId: 'default', evidence: evidenceOptions(DEFAULT_CONFIG.collector.evidence)! })) {
    if (r.event.dataset === 'sip.evidence') evidence.push(r as SipEvidence);
  }
  input = path.join(tmp, 'records.ndjson');
  fs.writeFileSync(input, [...findings, ...evidence].map((r) => JSON.stringify(r)).join('\n') + '\n');
}, 120_000);

function tshark(file: string): string[] {
  try {
    return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'ip.src', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.Call-ID'], { encoding: 'utf8' }).trim().split('\n');
  } catch (err) {
    throw new Error(`tshark could not read ${file} (is it installed? apt-get install tshark): ${(err as Error).message}`);
  }
}

describe('callsentry evidence export', () => {
  it('writes the calls of a brute-force finding as a pcap that tshark reads, with the digest responses masked', async () => {
    const f = findings.find((x) => x.rule.id.includes('bruteforce') && x.key.type === 'ip');
    expect(f).toBeDefined();
    const out = path.join(tmp, 'bf.pcap');
    const r = await runCli(['evidence', 'export', '--finding', f!.event.id, '--input', input, '-o', out]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(new RegExp(`^wrote \\d+ SIP messages of \\d+ calls to ${out}$`));
    const rows = tshark(out).map((l) => l.split('\t'));
    expect(rows.length).toBeGreaterThan(1);
    // requests from the attacker, answers from the PBX: a conversation, not one side of it
    expect(rows.some((r) => r[0] === f!.key.value && r[1])).toBe(true);
    expect(rows.some((r) => r[2])).toBe(true);
    const bytes = fs.readFileSync(out).toString('latin1');
    expect(bytes).not.toMatch(/response="[0-9a-f]{32}"/i);
  });

  it('refuses an unknown finding with NOT_FOUND and exit 1, and a missing -o with a usage error', async () => {
    const unknown = await runCli(['evidence', 'export', '--finding', 'no-such-finding', '--input', input, '-o', path.join(tmp, 'x.pcap')]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/no finding no-such-finding in .* \[NOT_FOUND\]/);
    expect(fs.existsSync(path.join(tmp, 'x.pcap'))).toBe(false);
    const usage = await runCli(['evidence', 'export', '--finding', 'x', '--input', input]);
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toContain('-o FILE.pcap is required');
  });

  it('says so when a finding has no evidence (NDJSON flow records carry no SIP messages)', async () => {
    const f = findings[0]!;
    const only = path.join(tmp, 'finding-only.ndjson');
    fs.writeFileSync(only, JSON.stringify(f) + '\n');
    const r = await runCli(['evidence', 'export', '--finding', f.event.id, '--input', only, '-o', path.join(tmp, 'none.pcap')]);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/has no evidence records: .*\[NOT_FOUND\]/);
  });

  it('has --help', async () => {
    const r = await runCli(['evidence', '--help']);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('-o, --output <value>');
  });
});
