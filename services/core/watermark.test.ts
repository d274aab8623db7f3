import { CommitWatermark } from './watermark';

describe('CommitWatermark', () => {
  it('commits the first offset still inside the retention, so a new owner re-reads only that tail', () => {
    const w = new CommitWatermark();
    // one record every 500 ms at offsets 0..99, t = 0 .. 49.5 s
    for (let i = 0; i < 100; i++) w.observe(i * 500, String(i));
    // retention 10 s at event time 49.5 s: records from t >= 39 s (second 39 starts at offset 78)
    expect(w.commitOffset(49_500, 10_000, '100')).toBe('78');
  });

  it('commits everything when the state reaches back less than the data', () => {
    const w = new CommitWatermark();
    w.observe(1_000, '0');
    w.observe(2_000, '1');
    expect(w.commitOffset(100_000, 10_000, '2')).toBe('2');
  });

  it('never commits beyond the processed position', () => {
    const w = new CommitWatermark();
    w.observe(1_000, '5');
    expect(w.commitOffset(1_000, 60_000, '6')).toBe('5');
  });

  it('keeps a later second inside the retention even when an old second came before a gap', () => {
    const w = new CommitWatermark();
    w.observe(80_000, '10');
    w.observe(95_000, '20');
    // horizon 85 s: the record of second 95 is needed, so is everything from the mark that precedes it
    expect(w.commitOffset(95_000, 10_000, '21')).toBe('10');
  });
});
