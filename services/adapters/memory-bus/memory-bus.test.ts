import type { BusMessage } from '../../core/ports';
import { MemoryBus } from './memory-bus';

const msgs = (n: number, key: (i: number) => string) => Array.from({ length: n }, (_, i) => ({ key: key(i), value: String(i) }));

describe('MemoryBus', () => {
  it('keeps the newest message of a partition for lastMessage after consumers let the rest be trimmed', async () => {
    const bus = new MemoryBus({ defaultPartitions: 1 });
    expect(await bus.lastMessage('t', 0)).toBeUndefined();
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async () => undefined });
    const producer = await bus.producer();
    for (let i = 0; i < 3; i++) await producer.send('t', msgs(1000, (j) => `k${j}`).map((m) => ({ ...m, value: `${i}-${m.value}`, headers: { h: String(i) } })));
    await bus.drained();
    await producer.send('t', [{ key: 'x', value: 'last', headers: { h: 'end' } }]);
    await bus.drained();
    expect(bus.read('t').length).toBeLessThan(3001);
    expect(await bus.lastMessage('t', 0)).toMatchObject({ offset: '3000', key: 'x', headers: { h: 'end' } });
    expect((await bus.lastMessage('t', 0))!.value.toString()).toBe('last');
    await bus.close();
  });

  it('delivers every message once per group, keeping per-key order', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4, maxBatch: 7 });
    const seen = new Map<string, number[]>();
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => {
        for (const m of b.messages) seen.set(m.key!, [...(seen.get(m.key!) ?? []), Number(m.value.toString())]);
      },
    });
    const p = await bus.producer();
    await p.send('t', msgs(1000, (i) => `k${i % 13}`));
    await bus.drained();
    let total = 0;
    for (const [, values] of seen) {
      total += values.length;
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(total).toBe(1000);
    await bus.close();
  });

  it('starts a new group at the end when it asks for the latest, and at the beginning otherwise', async () => {
    const bus = new MemoryBus({ defaultPartitions: 2 });
    const p = await bus.producer();
    await p.send('t', msgs(10, (i) => `k${i}`));
    const latest: string[] = [];
    const earliest: string[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['t'], startAt: 'latest', handler: async (b) => void b.messages.forEach((m) => latest.push(m.value.toString())) });
    await bus.subscribe({ groupId: 'early', topics: ['t'], handler: async (b) => void b.messages.forEach((m) => earliest.push(m.value.toString())) });
    await bus.drained();
    expect(latest).toEqual([]);
    await p.send('t', [{ key: 'k0', value: 'new' }]);
    await bus.drained();
    expect(latest).toEqual(['new']);
    expect(earliest).toHaveLength(11);
    await bus.close();
  });

  it('hands a stopped member\'s partitions to the others, resuming from the committed offset', async () => {
    const bus = new MemoryBus({ defaultPartitions: 4, maxBatch: 10 });
    const byMember: Record<string, BusMessage[]> = { a: [], b: [] };
    const revoked: number[] = [];
    const member = (name: 'a' | 'b') =>
      bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        onRevoked: (_t, parts) => revoked.push(...parts),
        handler: async (b) => {
          byMember[name].push(...b.messages);
        },
      });
    const a = await member('a');
    await member('b');
    const p = await bus.producer();
    await p.send('t', msgs(200, (i) => `k${i}`));
    await bus.drained();
    await a.stop();
    await p.send('t', msgs(200, (i) => `k${i}`));
    await bus.drained();
    const all = [...byMember.a, ...byMember.b];
    expect(all).toHaveLength(400);
    expect(new Set(all.map((m) => `${m.partition}/${m.offset}`)).size).toBe(400);
    expect(byMember.a.length).toBeGreaterThan(0);
    expect(byMember.b.length).toBeGreaterThan(byMember.a.length);
    await bus.close();
    expect(revoked.length).toBeGreaterThan(0);
  });

  it('re-delivers from the committed offset after a handler fails, never skipping a message', async () => {
    const bus = new MemoryBus({ defaultPartitions: 1, maxBatch: 5 });
    const delivered: number[] = [];
    let failures = 0;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => {
        if (b.messages.some((m) => m.value.toString() === '7') && failures === 0) {
          failures++;
          throw new Error('transient');
        }
        delivered.push(...b.messages.map((m) => Number(m.value.toString())));
        // keep the last two messages of each batch uncommitted, like a windowed stage
        return { commitOffset: String(Number(b.messages[b.messages.length - 1].offset) - 1) };
      },
    });
    await (await bus.producer()).send('t', msgs(12, () => 'k'));
    await bus.drained();
    expect(bus.errors()).toHaveLength(1);
    expect(new Set(delivered)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i)));
    // the failed batch restarted at the committed offset (3), not at the failed batch's start (5)
    expect(delivered.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 3, 4, 5]);
    await bus.close();
  });

  it('holds producers back while a consumer is far behind (bounded memory)', async () => {
    const bus = new MemoryBus({ defaultPartitions: 1, highWater: 100, maxBatch: 50 });
    let maxBacklog = 0;
    let produced = 0;
    let consumed = 0;
    await bus.subscribe({
      groupId: 'slow',
      topics: ['t'],
      handler: async (b) => {
        consumed += b.messages.length;
        maxBacklog = Math.max(maxBacklog, produced - consumed);
        await new Promise((r) => setTimeout(r, 1));
      },
    });
    const p = await bus.producer();
    for (let i = 0; i < 20; i++) {
      await p.send('t', msgs(50, () => 'k'));
      produced += 50;
    }
    await bus.drained();
    expect(consumed).toBe(1000);
    expect(maxBacklog).toBeLessThanOrEqual(250);
    await bus.close();
  });
});
