// Follows a growing log file from its current end (like `tail -F`), line by line. Polls rather than
// watches: inotify misses writes on some filesystems and a poll every few hundred ms is cheap.
import { open, stat } from 'node:fs/promises';
import type { Logger } from '../../core/ports';

export interface LogFollowerOptions {
  path: string;
  onLine: (line: string) => void;
  log: Logger;
  pollMs?: number;
  /** longer lines are cut (the rest of the line is skipped) */
  maxLineBytes?: number;
  /** read the file from its start instead of its end */
  fromStart?: boolean;
}

export interface LogFollower {
  /** reads whatever was appended since the last poll */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

const CHUNK = 64 * 1024;

export async function followLog(opts: LogFollowerOptions): Promise<LogFollower> {
  const maxLine = opts.maxLineBytes ?? 4096;
  let offset = opts.fromStart ? 0 : await sizeOf(opts.path);
  let partial = '';
  let skipping = false;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const readNew = async (): Promise<void> => {
    const size = await sizeOf(opts.path);
    if (size < offset) {
      // truncated or replaced (restart with a new log): start over
      opts.log.info({ path: opts.path }, 'log file shrank; reading from its start');
      offset = 0;
      partial = '';
    }
    if (size === offset) return;
    const file = await open(opts.path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      while (offset < size) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, size - offset), offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        split(buffer.toString('utf8', 0, bytesRead));
      }
    } finally {
      await file.close();
    }
  };

  const split = (text: string): void => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!skipping) opts.onLine(line.slice(0, maxLine));
      skipping = false;
    }
    if (partial.length > maxLine) {
      if (!skipping) opts.onLine(partial.slice(0, maxLine));
      partial = '';
      skipping = true;
    }
  };

  const poll = (): Promise<void> => {
    running = running.then(readNew).catch((err: unknown) => opts.log.warn({ err, path: opts.path }, 'log file unreadable'));
    return running;
  };

  const timer = setInterval(() => void poll(), opts.pollMs ?? 250);
  timer.unref();
  return {
    poll: () => (stopped ? running : poll()),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0; // not there yet: coturn creates it on start
  }
}
