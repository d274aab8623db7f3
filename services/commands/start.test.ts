import { runCli } from './test-io';

describe('callsentry start --demo', () => {
  it('detects the demo scenario\'s flood and its tool, and prints dry-run blocks for that source only', async () => {
    // 30 s of demo event time played ten times faster than real time: the INVITE flood starts at
    // 10 s, the REGISTER flood only at 35 s
    const { code, out } = await runCli(['start', '--demo', '--speed', '10', '--for', '3', '--json']);
    expect(code).toBe(0);
    const lines = out.filter(Boolean).map((l) => JSON.parse(l));
    // the flooder announces itself as sipcli: the scanner detector sees the tool, the flood detector
    // the rate, and the INVITE probing detector the hundreds of numbers it dials without credentials
    expect(lines.filter((l) => l.kind === 'finding').map((l) => `${l.detector} ${l.key.value}`).sort()).toEqual(['sip/invite-scan 203.0.113.50', 'sip/request-flood 203.0.113.50', 'sip/scanner-ua 203.0.113.50']);
    expect(new Set(lines.filter((l) => l.kind === 'decision').map((l) => `${l.action} ${l.target.value} ${l.mode}`))).toEqual(new Set(['block 203.0.113.50 dry-run', 'rate-limit 203.0.113.50 dry-run']));
  });

  it('needs an input and says which', async () => {
    const res = await runCli(['start']);
    expect(res.code).toBe(2);
    expect(res.err.join('\n')).toMatch(/--demo .* or --input/);
  });
});
