// A progress bar on stderr for long replays, only when stderr is a terminal.
export class Progress {
  private last = 0;
  constructor(
    private readonly write: (s: string) => void,
    private readonly total: number,
    private readonly label: string,
    private readonly enabled: boolean,
  ) {}

  update(done: number, extra = ''): void {
    if (!this.enabled || this.total <= 0) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const frac = Math.min(1, done / this.total);
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    this.write(`\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${extra}`);
  }

  finish(): void {
    if (this.enabled && this.total > 0) this.write('\n');
  }
}
