import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CallsentryError, ERROR_CODES, isRetriable } from './errors';

describe('error codes', () => {
  it('are each documented in docs/errors.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/errors.md'), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toContain(`| \`${code}\` |`);
  });

  it('carry code, retriability, cause and context', () => {
    const cause = new Error('ECONNREFUSED');
    const e = new CallsentryError('BUS_UNAVAILABLE', 'kafka down', { retriable: true, cause, context: { broker: 'b1' } });
    expect(e).toMatchObject({ code: 'BUS_UNAVAILABLE', retriable: true, context: { broker: 'b1' } });
    expect(e.cause).toBe(cause);
    expect(isRetriable(e)).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(false);
  });
});
