import { keepingAlive } from './keep-alive';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keepingAlive', () => {
  it('heartbeats while a long task runs, and stops when it ends', async () => {
    let beats = 0;
    const result = await keepingAlive(async () => void beats++, 10, async () => {
      await wait(75);
      return 'done';
    });
    expect(result).toBe('done');
    expect(beats).toBeGreaterThanOrEqual(3);
    const after = beats;
    await wait(40);
    expect(beats).toBe(after);
  });

  it('fails the task when a heartbeat failed meanwhile (the partitions moved)', async () => {
    const lost = new Error('The group is rebalancing');
    let finished = false;
    const run = keepingAlive(() => Promise.reject(lost), 10, async () => {
      await wait(40);
      finished = true;
      return 1;
    });
    await expect(run).rejects.toBe(lost);
    expect(finished).toBe(true);
  });

  it('runs the task as it is on a bus without heartbeats', async () => {
    await expect(keepingAlive(undefined, 10, async () => 7)).resolves.toBe(7);
  });
});
