// Runs a long task while telling the bus, at an interval, that this member is alive. A failed
// heartbeat (the partitions were reassigned) fails the task once it ends: its result may be
// stored, but the batch must not be committed by a member that no longer owns it.

export async function keepingAlive<T>(heartbeat: (() => Promise<void>) | undefined, everyMs: number, task: () => Promise<T>): Promise<T> {
  if (!heartbeat) return task();
  let failure: { err: unknown } | undefined;
  const timer = setInterval(() => {
    heartbeat().catch((err) => {
      failure ??= { err };
    });
  }, everyMs);
  try {
    const result = await task();
    if (failure) throw failure.err;
    return result;
  } finally {
    clearInterval(timer);
  }
}
