// Retries with exponential backoff and jitter, for calls to servers that may be briefly away.
// Kept hand-written instead of p-retry (issue 13): every p-retry major since 5 is ESM only (8 and 9
// need Node 22, this project runs on Node 20), and Jest here runs CommonJS through @swc/jest, which
// cannot require an ES module before Node 24.9 without transforming node_modules; p-retry 4, the
// last CommonJS major, has no "give up on this error" predicate and no injectable sleep. This
// function is fifteen lines, takes a sleep (tests run without waiting) and a retriable predicate.
export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** false: give up at once (a 4xx that a retry cannot fix) */
  retriable?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

export async function withRetry<T>(run: () => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= o.attempts || (o.retriable && !o.retriable(err))) throw err;
      const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** (attempt - 1));
      await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
    }
  }
}

/** An HTTP answer worth retrying: throttled, or the server failed. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  get retriable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

export const retriableHttp = (err: unknown): boolean => !(err instanceof HttpStatusError) || err.retriable;
