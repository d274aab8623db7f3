import { COMMANDS } from '../cli';
import { runCli } from './test-io';

describe('callsentry --help', () => {
  it('lists every command', async () => {
    const { code, out } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(out.join('\n')).toContain(c.spec.name);
  });

  it.each(COMMANDS.map((c) => [c.spec.name]))('%s --help prints usage and options, and exits 0', async (name) => {
    const { code, out } = await runCli([name, '--help']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^Usage: callsentry ${name}`));
    expect(out.join('\n')).toContain('--help');
  });

  it('rejects an unknown command and an unknown option with a hint', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const res = await runCli(['replay', '--jsn', 'x']);
    expect(res.code).toBe(2);
    expect(res.err.join('\n')).toMatch(/unknown option --jsn for 'replay' \(see callsentry replay --help\)/);
  });
});
