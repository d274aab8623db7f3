// What a command may touch of its process, passed in so tests run commands in-process.
import type { Readable } from 'node:stream';

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  /** resolves when the process is asked to stop (SIGINT/SIGTERM) */
  stopSignal: Promise<void>;
}

export function processIo(): CommandIo {
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    stdin: process.stdin,
    env: process.env,
    isTty: Boolean(process.stderr.isTTY),
    stopSignal,
  };
}
