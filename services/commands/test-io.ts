// Runs CLI commands in-process for tests, capturing what they print.
import { Readable } from 'node:stream';
import { main } from '../cli';
import type { CommandIo } from './io';

export async function runCli(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = {
    out: (l) => out.push(...l.split('\n')),
    err: (l) => err.push(...l.split('\n')),
    stdin: Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []),
    env: opts.env ?? {},
    isTty: false,
    stopSignal: new Promise(() => undefined),
  };
  const code = await main(argv, io);
  return { code, out, err };
}
