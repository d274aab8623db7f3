import { verifyPassword } from '../console/password';
import { runCli } from './test-io';

describe('callsentry console', () => {
  it('hash-password prints a scrypt hash of the password read from stdin', async () => {
    const r = await runCli(['console', 'hash-password'], { stdin: 'a long enough password\n' });
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^scrypt\$/);
    expect(await verifyPassword('a long enough password', r.out[0])).toBe(true);
    const short = await runCli(['console', 'hash-password'], { stdin: 'short\n' });
    expect([short.code, short.err.join('\n')]).toEqual([2, expect.stringMatching(/at least 12 characters/)]);
  });

  it('callsentry start opens the console and prints its URL and a one-time admin password once, on the terminal and never in the log', async () => {
    const logged: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    let r;
    try {
      r = await runCli(['start', '--demo', '--speed', '10', '--for', '1', '--json']);
    } finally {
      spy.mockRestore();
    }
    expect(r.code).toBe(0);
    const lines = r.err.filter((l) => l.startsWith('console: '));
    expect(lines).toHaveLength(1);
    const [, url, password] = /^console: (http:\/\/127\.0\.0\.1:\d+) \(user admin, password ([\w-]{16});/.exec(lines[0])!;
    expect(url).toBeDefined();
    expect(logged.join('')).toContain('callsentry started');
    expect(logged.join('')).not.toContain(password);
  });
});
