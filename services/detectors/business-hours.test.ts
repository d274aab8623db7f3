import { withinHours, type BusinessHours } from './business-hours';

describe('withinHours', () => {
  const berlin: BusinessHours = { time_zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' };
  const at = (iso: string) => Date.parse(iso);

  it('reads the local time of the zone, daylight saving included', () => {
    // Monday 2 March 2026: UTC+1; Monday 30 March: UTC+2
    expect(withinHours(berlin, at('2026-03-02T07:00:00Z'))).toBe(true);
    expect(withinHours(berlin, at('2026-03-02T16:59:00Z'))).toBe(true);
    expect(withinHours(berlin, at('2026-03-02T17:00:00Z'))).toBe(false);
    expect(withinHours(berlin, at('2026-03-30T16:00:00Z'))).toBe(false);
    expect(withinHours(berlin, at('2026-03-30T06:00:00Z'))).toBe(true);
  });

  it('knows the weekend', () => {
    expect(withinHours(berlin, at('2026-03-07T10:00:00Z'))).toBe(false);
  });

  it('lets a night shift span midnight', () => {
    const night: BusinessHours = { time_zone: 'UTC', days: [5], start: '22:00', end: '06:00' };
    expect(withinHours(night, at('2026-03-06T23:00:00Z'))).toBe(true); // Friday night
    expect(withinHours(night, at('2026-03-07T05:00:00Z'))).toBe(true); // into Saturday
    expect(withinHours(night, at('2026-03-07T23:00:00Z'))).toBe(false); // Saturday night
  });
});
