import { murmur2, partitionFor } from './partition';

describe('partitionFor', () => {
  it('matches the murmur2 values of Kafka\'s Java partitioner', () => {
    // reference values from org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: Array<[string, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('sends one key to one partition', () => {
    const p = partitionFor('198.51.100.7', 8);
    for (let i = 0; i < 10; i++) expect(partitionFor('198.51.100.7', 8)).toBe(p);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(8);
  });
});
