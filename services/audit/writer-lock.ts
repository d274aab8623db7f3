// One chain writer per log file: a lock file beside the log names the process that writes it. A
// second `callsentry audit` on the same log refuses to start instead of forking the chain; a lock
// left by a crashed writer (its process is gone) is taken over.
import { hostname } from 'node:os';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { CallsentryError } from '../core/errors';

export class WriterLock {
  private held = false;

  constructor(private readonly path: string) {}

  acquire(): void {
    if (this.held) return;
    const me = `${process.pid} ${hostname()}`;
    try {
      writeFileSync(this.path, me, { flag: 'wx', mode: 0o640 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new CallsentryError('AUDIT_STORAGE', `cannot create the audit writer lock ${this.path}: ${(err as Error).message}`, { cause: err });
      const [pid, host] = readFileSync(this.path, 'utf8').trim().split(' ');
      if (host === hostname() && Number(pid) !== process.pid && alive(Number(pid))) {
        throw new CallsentryError('AUDIT_STORAGE', `another audit writer (pid ${pid}) writes this log (lock ${this.path}): run one \`callsentry audit\` per log, the chain is a single sequence`);
      }
      // ours from before, or left by a writer that is gone: take it over
      writeFileSync(this.path, me, { mode: 0o640 });
    }
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone: nothing to release
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
