// coturn's admin CLI (telnet-style, `cli-ip`/`cli-port`): the only way coturn offers to end live
// allocations. One short connection per use: log in, `ps <user>` to find the user's sessions,
// `cs <id>` to cancel each. Verified with coturn 4.6.1 (help text and `ps` output).
import { connect, type Socket } from 'node:net';
import { checkUser } from './redis-keys';

export interface CoturnCliOptions {
  host: string;
  port: number;
  /** the `cli-password`; sent once per connection, never logged */
  password: string;
  timeoutMs?: number;
}

// every answer ends with this prompt; `cs` and a login answer with nothing else
const PROMPT = '> ';
const ASK_PASSWORD = 'Enter password:';

/** Session ids that `ps <user>` lists for exactly that user. */
export function parseSessionIds(psOutput: string, user: string): string[] {
  const ids: string[] = [];
  for (const m of psOutput.matchAll(/^\s*\d+\) id=(\d+), user <([^>\r\n]*)>:/gm)) if (m[2] === user) ids.push(m[1]);
  return ids;
}

/** Cancels every live session of `user`; returns the ids it cancelled. */
export async function cancelUserSessions(opts: CoturnCliOptions, user: string): Promise<string[]> {
  checkUser(user); // the name goes into a command line: no spaces, no line breaks
  const conn = await CliConnection.open(opts);
  try {
    if ((await conn.command(opts.password)).includes(ASK_PASSWORD)) throw new Error('coturn CLI refused the password');
    const ids = parseSessionIds(await conn.command(`ps ${user}`), user);
    for (const id of ids) await conn.command(`cs ${id}`);
    return ids;
  } finally {
    conn.close();
  }
}

class CliConnection {
  private buffer = '';
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake?.();
    });
    socket.on('error', (err) => {
      this.failure = err;
      this.wake?.();
    });
    socket.on('close', () => {
      this.failure ??= new Error('coturn CLI closed the connection');
      this.wake?.();
    });
  }

  static async open(opts: CoturnCliOptions): Promise<CliConnection> {
    const conn = new CliConnection(connect(opts.port, opts.host), opts.timeoutMs ?? 5000);
    await conn.until((b) => b.includes(ASK_PASSWORD));
    return conn;
  }

  /** Sends one line and returns what coturn printed up to its next prompt. */
  async command(line: string): Promise<string> {
    this.buffer = '';
    this.socket.write(`${line}\r\n`);
    // a wrong password is answered with the password question again instead of a prompt
    await this.until((b) => b.endsWith(PROMPT) || b.includes(ASK_PASSWORD));
    const out = this.buffer;
    this.buffer = '';
    return out;
  }

  close(): void {
    this.socket.end('quit\r\n');
    this.socket.destroy();
  }

  private async until(done: (buffer: string) => boolean): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!done(this.buffer)) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`coturn CLI did not answer within ${this.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
