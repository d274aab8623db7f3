// Retries with exponential backoff and jitter, for calls to servers that may be briefly away.
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
