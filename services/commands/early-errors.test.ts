// User mistakes get one clear line and a non-zero exit before anything starts: no stack trace,
// no console password printed for a run that never happens.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataPath } from '../collector/sip/test-support/data-dir';
import { runCli } from './test-io';

const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-early-'));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const png = file('screenshot.pcap', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
const empty = file('empty.ndjson', '');
const zeek = file('sip.log', '#separator \\x09\n#set_separator\t,\n#fields\tts\tuid\n1700000000.0\tCabc\n');
const capture = dataPath('adversarial/overlap-scanner-first.pcap');
const flows = file('flows.ndjson', '{"not":"a flow record"}\n');

async function refused(argv: string[], message: RegExp, code = 2, env: NodeJS.ProcessEnv = {}) {
  const res = await runCli(argv, { env });
  const err = res.err.join('\n');
  expect(err).toMatch(message);
  expect(err).not.toMatch(/unexpected error|\n\s+at /);
  expect(err).not.toMatch(/password/);
  expect(res.code).toBe(code);
  return res;
}

describe('start refuses bad arguments before it starts', () => {
  it('an input that does not exist, with --demo beside it', () => refused(['start', '--demo', '--input', path.join(dir, 'x.ndjson'), '--for', '1'], /cannot read .*x\.ndjson/));
  it('a directory as input', () => refused(['start', '--input', dir], /is a directory/));
  it('a capture as input, with the command that reads it', () => refused(['start', '--input', capture], /is a capture; start reads NDJSON flow records: replay captures with callsentry replay/));
  it('--speed 0', () => refused(['start', '--demo', '--speed', '0'], /option --speed must be a number greater than 0 and at most 1000, got 0/));
  it('--for -5', () => refused(['start', '--demo', '--for', '-5'], /option --for must be a number greater than 0 .*got -5/));
  it('an unknown --log-level, listing the allowed ones', () => refused(['start', '--demo', '--log-level', 'loud'], /--log-level must be one of debug, info, warn, error; got 'loud'/));
});

describe('generate refuses bad arguments', () => {
  it('--seconds 0', () => refused(['generate', '--seconds', '0'], /option --seconds must be a whole number at least 1/));
  it('--phones -1', () => refused(['generate', '--phones', '-1'], /option --phones must be a whole number at least 0 .*got -1/));
  it('a --flood with a bad address', () => refused(['generate', '--flood', '203.0.113.999:INVITE:200:10:5'], /'203\.0\.113\.999' is not an IPv4 or IPv6 address/));
  it('a --flood with a bad method', () => refused(['generate', '--flood', '203.0.113.9:BYE:200:10:5'], /expected IP:INVITE\|REGISTER\|OPTIONS:RATE:START:DURATION/));
  it('accepts an IPv6 --flood source', async () => {
    const res = await runCli(['generate', '--seconds', '1', '--phones', '0', '--flood', '2001:db8::9:INVITE:5:0:1']);
    expect(res.code).toBe(0);
    expect(res.out.filter(Boolean).map((l) => JSON.parse(l).source.ip)).toEqual(Array(5).fill('2001:db8::9'));
  });
});

describe('an input that is neither a capture nor NDJSON', () => {
  it.each([
    ['a PNG renamed .pcap', png],
    ['an empty file', empty],
    ['a Zeek log', zeek],
  ])('%s is refused by replay and collector, naming the file', async (_what, p) => {
    const message = new RegExp(`${p.replace(/[.\\]/g, '\\$&')}: not a pcap, pcapng or NDJSON file`);
    await refused(['replay', flows, p], message);
    // checked before the collector connects anywhere (nothing listens on port 1)
    await refused(['collector', flows, p], message, 2, { CALLSENTRY_KAFKA_BROKERS: '127.0.0.1:1' });
  });
});

describe('stage commands on the embedded bus', () => {
  it.each([['print'], ['detect'], ['enforce'], ['alert']])('%s refuses and says how to run it', async (name) => {
    await refused([name], /bus\.kind: kafka .*CALLSENTRY_KAFKA_BROKERS.*callsentry start --input/, 1);
  });

  it('collector from stdin refuses and points to replay', async () => {
    await refused(['collector'], /callsentry collector: it is one stage of a distributed pipeline \(collector\).*callsentry replay/, 1);
  });
});
