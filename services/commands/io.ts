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
  /** resolves once everything written to out and err so far has been handed to the OS */
  drained?(): Promise<void>;
}

export function processIo(): CommandIo {
  const stopSignal = new Promise<void>((resolve) => {
    // a second Ctrl-C ends the process at once; a repeated SIGTERM (a supervisor's to every process
    // of the service, and the relaunching parent's) asks for the same orderly stop
    process.once('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    stdin: process.stdin,
    env: process.env,
    isTty: Boolean(process.stderr.isTTY),
    stopSignal,
    drained: () => Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined),
  };
}

/** A pipe's writes queue in the process: the callback of an empty write runs when all before it are out. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
