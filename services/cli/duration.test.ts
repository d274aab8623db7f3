import { CallsentryError } from '../core/errors';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['4h', 14_400],
    ['2d', 172_800],
    ['1w', 604_800],
    ['1h30m', 5400],
    ['3600', 3600],
    [' 4H ', 14_400],
  ])('%s is %i seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', '4x', '-4h', '1.5h', 'h', '4h-', '4 h', '0s', '0', '4h 30m', '1e3'])('refuses %j with what it expects', (text) => {
    expect(() => parseDuration(text, '--ttl')).toThrow(CallsentryError);
    expect(() => parseDuration(text, '--ttl')).toThrow(/--ttl (takes a duration such as 90s, 30m, 4h|must be longer than 0)/);
  });
});
