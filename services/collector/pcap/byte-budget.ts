// One memory budget shared by everything that holds bytes across packets (out-of-order TCP
// segments, unfinished SIP messages): per-flow limits alone would still allow flows x limit, so
// a flood of connections that each leave a partial message behind must hit a global ceiling.

export class ByteBudget {
  used = 0;
  /** requests refused because the budget was spent: each one dropped buffered data */
  overruns = 0;

  constructor(readonly max: number) {}

  take(n: number): boolean {
    if (this.used + n > this.max) {
      this.overruns++;
      return false;
    }
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
