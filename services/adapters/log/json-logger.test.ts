import { createJsonLogger } from './json-logger';

describe('json logger', () => {
  it('writes one JSON line per entry with bindings, and redacts secrets by key', () => {
    const lines: string[] = [];
    const log = createJsonLogger({ level: 'info', write: (l) => lines.push(l) }).child({ stage: 'collector' });
    log.debug({ a: 1 }, 'hidden');
    log.info({ kafka: { sasl: { username: 'u', password: 'hunter2' } }, headers: { Authorization: 'Digest response="abc"' } }, 'connected');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', stage: 'collector', msg: 'connected' });
    expect(entry.kafka.sasl).toEqual({ username: 'u', password: '[redacted]' });
    expect(entry.headers.Authorization).toBe('[redacted]');
    expect(lines[0]).not.toContain('hunter2');
  });
});
