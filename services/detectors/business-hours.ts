// Business hours of a tenant in its own time zone: whether an instant falls inside them. The zone
// database does the work (Intl), so daylight saving time and zone rules are right for any date.

export interface BusinessHours {
  /** IANA time zone, e.g. Europe/Berlin */
  time_zone: string;
  /** ISO weekdays that are working days: 1 Monday ... 7 Sunday */
  days: number[];
  /** local start and end, HH:MM (24 h); end is exclusive; an end before the start spans midnight */
  start: string;
  end: string;
}

export const BUSINESS_HOURS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['time_zone', 'days', 'start', 'end'],
  properties: {
    time_zone: { type: 'string', minLength: 1 },
    days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, uniqueItems: true },
    start: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
    end: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
  },
};

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();

/** Throws on a zone the runtime does not know: checked once at start. */
export function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formats.set(zone, f);
  }
  return f;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function withinHours(h: BusinessHours, t: number): boolean {
  let day = 0;
  let minute = 0;
  for (const p of zoneFormat(h.time_zone).formatToParts(t)) {
    if (p.type === 'weekday') day = WEEKDAYS[p.value] ?? 0;
    else if (p.type === 'hour') minute += Number(p.value) * 60;
    else if (p.type === 'minute') minute += Number(p.value);
  }
  const start = minutes(h.start);
  const end = minutes(h.end);
  if (start <= end) return h.days.includes(day) && minute >= start && minute < end;
  // a night shift: the part after midnight belongs to the previous day's shift
  if (minute >= start) return h.days.includes(day);
  return minute < end && h.days.includes(day === 1 ? 7 : day - 1);
}
