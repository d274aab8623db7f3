// Commit offsets that let a new owner of a partition rebuild windowed state exactly: the committed
// offset is the first record whose event time still lies inside the state's retention, so after a
// rebalance or a crash the new owner re-reads that tail (duplicates carry the same ids and are
// idempotent downstream) instead of starting with empty windows. See docs/state.md.

export class CommitWatermark {
  /** (event time, offset) of the first record of each second of event time, oldest first */
  private marks: Array<{ t: number; offset: bigint }> = [];
  private lastSecond = -Infinity;

  /** Call for every record, in offset order. */
  observe(eventTimeMs: number, offset: string): void {
    const second = Math.floor(eventTimeMs / 1000);
    if (second > this.lastSecond) {
      this.marks.push({ t: second * 1000, offset: BigInt(offset) });
      this.lastSecond = second;
    }
  }

  /**
   * Offset to commit after the records observed so far, given the engine's event time and
   * retention; `next` is the offset after the last processed record.
   */
  commitOffset(eventTimeMs: number, retentionMs: number, next: string): string {
    const horizon = eventTimeMs - retentionMs;
    // drop marks that no window needs any more, keeping the first one still needed
    let i = 0;
    while (i + 1 < this.marks.length && this.marks[i + 1].t <= horizon) i++;
    if (i > 0) this.marks.splice(0, i);
    const first = this.marks[0];
    if (!first || (this.marks.length === 1 && first.t + 1000 <= horizon)) {
      // everything observed is older than the retention: nothing to re-read
      this.marks = [];
      return next;
    }
    return first.offset < BigInt(next) ? String(first.offset) : next;
  }
}
