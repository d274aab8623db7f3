// Runs CLI commands in-process for tests, capturing what they print.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../cli';
import type { CommandIo } from './io';

const TOKEN_FILE = path.join(tmpdir(), `callsentry-test-${process.pid}`, 'api-token');

export async function runCli(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => err.push(...l.split('\n')),
    stdin: Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []),
    // an ephemeral port: tests run side by side, and beside a callsentry an operator may be running
    // the operator API's token in a directory of this test process, not in the working directory
    env: { CALLSENTRY_API_LISTEN: '127.0.0.1:0', CALLSENTRY_METRICS_LISTEN: '127.0.0.1:0', CALLSENTRY_CONSOLE_LISTEN: '127.0.0.1:0', CALLSENTRY_VERDICT_HTTP_LISTEN: '127.0.0.1:0', CALLSENTRY_VERDICT_SIP_LISTEN: '127.0.0.1:0', CALLSENTRY_API_TOKEN_FILE: TOKEN_FILE, ...opts.env },
    isTty: false,
    stopSignal: new Promise(() => undefined),
  };
  const code = await main(argv, io);
  return { code, out, err };
}
