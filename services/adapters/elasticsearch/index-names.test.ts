import { dailyIndex, expiredIndices, indexDay } from './index-names';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('daily index names', () => {
  it('pick the UTC day of the event time', () => {
    expect(dailyIndex('', 'flows-sip', at('2026-02-10T23:59:59.999Z'))).toBe('callsentry-flows-sip-2026.02.10');
    expect(dailyIndex('it-1.', 'findings', at('2026-02-11T00:00:00Z'))).toBe('it-1.callsentry-findings-2026.02.11');
  });

  it('are read back only for our prefix and kinds', () => {
    expect(indexDay('p.', 'p.callsentry-audit-2026.02.10')).toBe(at('2026-02-10T00:00:00Z'));
    expect(indexDay('p.', 'q.callsentry-audit-2026.02.10')).toBeUndefined();
    expect(indexDay('', 'p.callsentry-audit-2026.02.10')).toBeUndefined();
    expect(indexDay('p.', 'p.callsentry-other-2026.02.10')).toBeUndefined();
    expect(indexDay('p.', 'p.callsentry-audit-2026.02.10-restored')).toBeUndefined();
    // a dot in the prefix is literal, not "any character"
    expect(indexDay('a.', 'axcallsentry-audit-2026.02.10')).toBeUndefined();
  });
});

describe('retention', () => {
  const now = at('2026-03-31T12:00:00Z');
  const created = (daysAgo: number) => now - daysAgo * DAY;

  it('deletes an index once its whole day and its creation are older than the retention', () => {
    const names = [
      { name: 'callsentry-flows-sip-2026.03.01', createdMs: created(30) }, // day ended 29.5 days ago
      { name: 'callsentry-flows-sip-2026.02.28', createdMs: created(31) }, // ended 30.5 days ago
      { name: 'callsentry-findings-2026.01.01', createdMs: created(89) },
      { name: 'unrelated-2020.01.01', createdMs: 0 },
      { name: 'it.callsentry-findings-2020.01.01', createdMs: 0 },
    ];
    expect(expiredIndices('', names, now, 30)).toEqual(['callsentry-findings-2026.01.01', 'callsentry-flows-sip-2026.02.28']);
  });

  it('keeps a replayed old day until the retention has passed since the replay', () => {
    const replayed = [{ name: 'callsentry-flows-sip-2025.01.01', createdMs: created(2) }];
    expect(expiredIndices('', replayed, now, 30)).toEqual([]);
    expect(expiredIndices('', replayed, now + 29 * DAY, 30)).toEqual(['callsentry-flows-sip-2025.01.01']);
  });
});
