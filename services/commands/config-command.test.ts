// `callsentry config FILE` refuses whatever start and replay would refuse later, in one line that
// names the key, the value and what is allowed, and exits 1 without a stack trace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './test-io';

const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-config-'));
let n = 0;
const configFile = (text: string) => {
  const p = path.join(dir, `c${n++}.yaml`);
  writeFileSync(p, text);
  return p;
};
const flows = path.resolve(__dirname, '../../docs/examples/invite-flood.ndjson');

describe.each([
  ['an allowlist entry that is no CIDR', 'enforcer:\n  allowlist: [10.0.0.0/33, banana]\n', /enforcer\.allowlist\[0\]: "10\.0\.0\.0\/33" is not allowed; expected an IPv4 or IPv6 address, or a CIDR.*enforcer\.allowlist\[1\]: "banana" is not allowed/],
  ['an infinite detector threshold', 'detectors:\n  sip/request-flood:\n    thresholds:\n      INVITE: 1e400\n', /detectors\.sip\/request-flood\.thresholds\.INVITE: Infinity is not allowed; expected a whole number from 1 to 1000000000/],
  ['a detector severity outside its enum', 'detectors:\n  sip/scanner-ua:\n    severity: urgent\n', /detectors\.sip\/scanner-ua\.severity: "urgent" is not allowed; expected one of "low", "medium", "high", "critical"/],
  ['an export schedule that is no cron expression', 'audit:\n  export:\n    schedule: "every day at noon"\n', /audit\.export\.schedule: not a cron expression/],
  ['a block lifetime no date can hold', 'decisions:\n  block_ttl_seconds: 1e308\n', /decisions\.block_ttl_seconds: 1e\+308 is not allowed; expected a whole number from 1 to 31536000/],
])('%s', (_what, text, why) => {
  const file = configFile(text);

  it.each([
    ['config', [file]],
    ['replay', ['--config', file, flows]],
  ])('is refused by %s, naming the file and the key', async (command, args) => {
    const { code, err } = await runCli([command, ...args]);
    expect(err.join('\n')).toMatch(why);
    expect(err.join('\n')).toContain(file);
    expect(err.join('\n')).not.toMatch(/unexpected error|\n\s+at /);
    expect(code).toBe(1);
  });
});

it('callsentry config accepts a valid file and prints it', async () => {
  const { code, out } = await runCli(['config', configFile('enforcer:\n  allowlist: [10.0.0.0/8, "2001:db8::/32"]\n')]);
  expect(code).toBe(0);
  expect(JSON.parse(out.join('\n')).enforcer.allowlist).toEqual(['10.0.0.0/8', '2001:db8::/32']);
});
