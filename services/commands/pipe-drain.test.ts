// The CLI as a process, its stdout a pipe: nothing written may be lost when the command ends.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../collector/sip/test-support/data-dir';
import { runCli } from './test-io';

const root = repoRoot();
const cli = `"${process.execPath}" -r "${path.join(root, 'test/support/swc-require.js')}" "${path.join(root, 'services/cli.ts')}"`;
const generateArgs = '--seconds 600 --phones 200 --flood 203.0.113.9:INVITE:200:10:5';

function sh(command: string): string {
  return execFileSync('/bin/sh', ['-c', command], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('a command writing to a pipe', () => {
  let expected: number;
  beforeAll(async () => {
    const { out } = await runCli(['generate', ...generateArgs.split(' ')]);
    expected = out.filter(Boolean).length;
    expect(expected).toBeGreaterThan(5000);
  });

  it('generate writes every line before it exits, the last one whole', () => {
    // a slow reader: the pipe fills while generate is still writing
    const out = sh(`${cli} generate ${generateArgs} | (sleep 1; cat)`);
    const lines = out.split('\n').filter(Boolean);
    expect(lines.length).toBe(expected);
    expect(() => JSON.parse(lines[lines.length - 1]!)).not.toThrow();
  }, 60_000);

  it('generate | replay - reads every line, and replay prints its summary', () => {
    const summary = sh(`${cli} generate ${generateArgs} | ${cli} replay --json - 2>&1 >/dev/null | tail -1`);
    expect(summary).toContain(`replay: ${expected} lines, 0 captures, ${expected} records accepted`);
  }, 60_000);
});

describe('generate --benign-day writing to a pipe', () => {
  it('writes every line before it exits, the last one whole', async () => {
    const args = '--benign-day --phones 300 --hours 1.5';
    const { out } = await runCli(['generate', ...args.split(' ')]);
    const expected = out.filter(Boolean).length;
    expect(expected).toBeGreaterThan(4096);
    const lines = sh(`${cli} generate ${args} | (sleep 1; cat)`).split('\n').filter(Boolean);
    expect(lines.length).toBe(expected);
    expect(() => JSON.parse(lines[lines.length - 1]!)).not.toThrow();
  }, 60_000);
});
