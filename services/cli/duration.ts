// Durations as operators type them (cscli's --duration, fail2ban's bantime): 90s, 30m, 4h, 2d, 1w,
// combined (1h30m), or plain seconds (3600). Whole units only; anything else is refused with what
// is expected, never guessed.
import { CallsentryError } from '../core/errors';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const WHOLE = /^(?:\d{1,9}[smhdw])+$/;

/** Seconds in `text`; `what` names the option in the error (e.g. --ttl). */
export function parseDuration(text: string, what = 'duration'): number {
  const t = text.trim().toLowerCase();
  let seconds: number;
  if (/^\d{1,10}$/.test(t)) seconds = Number(t);
  else if (WHOLE.test(t)) seconds = [...t.matchAll(/(\d+)([smhdw])/g)].reduce((sum, m) => sum + Number(m[1]) * UNIT[m[2]!]!, 0);
  else throw new CallsentryError('USAGE', `${what} takes a duration such as 90s, 30m, 4h, 2d, 1w or 1h30m (or seconds), got '${text}'`);
  if (seconds <= 0) throw new CallsentryError('USAGE', `${what} must be longer than 0 seconds, got '${text}'`);
  return seconds;
}
