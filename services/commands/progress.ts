// A progress bar on stderr for long replays (cli-progress), only on a terminal: never into a pipe,
// a file or a CI log, where it would be noise between the log lines.
import { SingleBar } from 'cli-progress';

export interface ProgressTarget {
  /** stderr, or a terminal stand-in in tests */
  stream: NodeJS.WritableStream;
  /** whether the stream is a terminal (CommandIo.isTty) */
  isTty: boolean;
  env: Record<string, string | undefined>;
}

/** A bar belongs on a terminal only, and not in CI (whose runners sometimes give one). */
export function progressWanted(t: ProgressTarget): boolean {
  return t.isTty && !t.env.CI;
}

export class Progress {
  private readonly bar: SingleBar | undefined;

  constructor(
    target: ProgressTarget,
    private readonly total: number,
    label: string,
  ) {
    if (!progressWanted(target) || total <= 0) return;
    this.bar = new SingleBar({ stream: target.stream, format: `${label.replace(/[{}]/g, '')} [{bar}] {percentage}% {extra}`, barCompleteChar: '#', barIncompleteChar: '.', barsize: 30, fps: 10 });
    this.bar.start(total, 0, { extra: '' });
  }

  update(done: number, extra = ''): void {
    this.bar?.update(Math.min(done, this.total), { extra });
  }

  finish(): void {
    this.bar?.stop();
  }
}
