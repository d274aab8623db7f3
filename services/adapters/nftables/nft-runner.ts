// Runs nft and conntrack as child processes: argument vectors and stdin only, never a shell.
// Optionally inside a network namespace (`ip netns exec NAME ...`) for tests and labs.
import { spawn } from 'node:child_process';
import { CallsentryError } from '../../core/errors';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The two host commands the actuator needs; tests substitute a fake. */
export interface HostCommands {
  /** `nft ARGS`, script on stdin when given; throws ACTUATOR_FAILED on a non-zero exit */
  nft(args: string[], stdin?: string): Promise<string>;
  /** `conntrack ARGS`; resolves with the exit code, since "nothing to delete" is exit 1 */
  conntrack(args: string[]): Promise<CommandResult>;
}

export interface RunnerOptions {
  /** run inside this network namespace (needs `ip` and root) */
  netns?: string;
  nftPath?: string;
  conntrackPath?: string;
  /** per command; default 10 s */
  timeoutMs?: number;
}

export function hostCommands(o: RunnerOptions = {}): HostCommands {
  if (o.netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(o.netns)) throw new Error(`bad network namespace name: ${JSON.stringify(o.netns)}`);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const argv = (bin: string, args: string[]): [string, string[]] => (o.netns ? ['ip', ['netns', 'exec', o.netns, bin, ...args]] : [bin, args]);
  return {
    async nft(args, stdin) {
      const [cmd, full] = argv(o.nftPath ?? 'nft', args);
      const r = await run(cmd, full, stdin, timeoutMs);
      if (r.code !== 0) {
        throw new CallsentryError('ACTUATOR_FAILED', `nft ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`, {
          // a rejected script will be rejected again; a timeout may not be
          retriable: r.code === TIMED_OUT,
          context: { stderr: r.stderr, netns: o.netns },
        });
      }
      return r.stdout;
    },
    conntrack(args) {
      const [cmd, full] = argv(o.conntrackPath ?? 'conntrack', args);
      return run(cmd, full, undefined, timeoutMs);
    },
  };
}

const TIMED_OUT = 124;
const NOT_STARTED = 127;

/** Never rejects: a missing binary or a timeout becomes an exit code with the reason in stderr. */
export function run(cmd: string, args: string[], stdin: string | undefined, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: NOT_STARTED, stdout: '', stderr: `cannot run ${cmd}: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: timedOut ? TIMED_OUT : (code ?? 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: timedOut ? `${cmd} timed out after ${timeoutMs} ms\n${stderr}` : stderr,
      });
    });
    // EPIPE if the child died before reading: its exit code tells the story
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}
