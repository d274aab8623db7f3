import { HttpStatusError, retriableHttp, withRetry } from './retry';

function failing(times: number, err: () => Error) {
  let calls = 0;
  return {
    run: async () => {
      calls++;
      if (calls <= times) throw err();
      return 'ok';
    },
    calls: () => calls,
  };
}

describe('withRetry', () => {
  it('retries with backoff under the ceiling, then succeeds', async () => {
    const slept: number[] = [];
    const f = failing(3, () => new HttpStatusError(503, 'busy'));
    await expect(withRetry(f.run, { attempts: 5, baseMs: 100, maxMs: 300, retriable: retriableHttp, sleep: async (ms) => void slept.push(ms) })).resolves.toBe('ok');
    expect(f.calls()).toBe(4);
    // jitter between half the ceiling and the ceiling: 100, 200, then 400 capped at 300
    [100, 200, 300].forEach((ceiling, i) => {
      expect(slept[i]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(slept[i]).toBeLessThanOrEqual(ceiling);
    });
  });

  it('gives up after the last attempt with the last error, and at once on an error a retry cannot fix', async () => {
    const sleep = async () => undefined;
    const busy = failing(10, () => new HttpStatusError(429, 'throttled'));
    await expect(withRetry(busy.run, { attempts: 3, baseMs: 1, maxMs: 1, retriable: retriableHttp, sleep })).rejects.toThrow('throttled');
    expect(busy.calls()).toBe(3);
    const refused = failing(10, () => new HttpStatusError(401, 'unauthorized'));
    await expect(withRetry(refused.run, { attempts: 3, baseMs: 1, maxMs: 1, retriable: retriableHttp, sleep })).rejects.toThrow('unauthorized');
    expect(refused.calls()).toBe(1);
  });
});
