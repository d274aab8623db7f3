import { CallsentryError } from '../../core/errors';
import { createJsonLogger } from './json-logger';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  return { lines, log: createJsonLogger({ level, write: (l) => lines.push(l) }) };
}

describe('json logger (pino, ECS fields)', () => {
  it('writes one JSON line per entry with bindings, and redacts secrets by path', () => {
    const { lines, log: root } = capture();
    const log = root.child({ stage: 'collector' });
    log.debug({ a: 1 }, 'hidden');
    log.info({ kafka: { sasl: { username: 'u', password: 'hunter2' } }, headers: { Authorization: 'Digest response="abc"' } }, 'connected');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ 'log.level': 'info', stage: 'collector', message: 'connected' });
    expect(entry['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(entry.kafka.sasl).toEqual({ username: 'u', password: '[redacted]' });
    expect(entry.headers.Authorization).toBe('[redacted]');
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('Digest');
  });

  it('redacts secrets at the top and three objects down, and leaves other keys alone', () => {
    const { lines, log } = capture();
    log.warn({ token: 't0p', a: { b: { c: { secret: 's3cret', api_key: 'k3y' } } }, user: 'alice', auth: true }, 'x');
    const entry = JSON.parse(lines[0]);
    expect(entry.token).toBe('[redacted]');
    expect(entry.a.b.c).toEqual({ secret: '[redacted]', api_key: '[redacted]' });
    expect(entry).toMatchObject({ user: 'alice', auth: true });
    log.child({ redis: { password: 'in-a-binding' } }).info({}, 'bound');
    expect(JSON.parse(lines[1]).redis.password).toBe('[redacted]');
  });

  it('gives each child its own level', () => {
    const { lines, log } = capture();
    log.child({ component: 'noisy' }, { level: 'debug' }).debug({ n: 1 }, 'shown');
    log.child({ component: 'quiet' }, { level: 'error' }).warn({ n: 2 }, 'not shown');
    log.debug({ n: 3 }, 'not shown either');
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ component: 'noisy', message: 'shown', 'log.level': 'debug' })]);
  });

  it('writes a key once when a binding and the entry both have it, the entry winning', () => {
    const { lines, log } = capture();
    log.child({ actuator: 'dry-run', stage: 'enforce' }).child({ stage: 'enforce-2' }).info({ actuator: 'nftables' }, 'applied');
    expect(lines[0].match(/"actuator"/g)).toHaveLength(1);
    expect(lines[0].match(/"stage"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ actuator: 'nftables', stage: 'enforce-2' });
  });

  it('writes an error as ECS error fields, with its code', () => {
    const { lines, log } = capture();
    log.error({ err: new CallsentryError('SINK_FAILED', 'webhook answered 500') }, 'alert not sent');
    expect(JSON.parse(lines[0]).error).toMatchObject({ type: 'CallsentryError', message: 'webhook answered 500', code: 'SINK_FAILED' });
  });
});
