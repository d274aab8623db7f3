import { ManualClock } from '../../core/clock';
import { CallsentryError } from '../../core/errors';
import { PromMetricsRegistry } from '../metrics-prom/prom-registry';
import { silentLogger, type IndexDocument } from '../../core/ports';
import { BulkRequestError, BulkWriter, type BulkItemResult, type BulkTransport } from './bulk-writer';

const T = Date.parse('2026-02-10T09:00:00Z');
const doc = (i: number, kind: IndexDocument['kind'] = 'flows-sip'): IndexDocument => ({
  kind,
  id: `id-${i}`,
  timestamp: T + i * 1000,
  source: JSON.stringify({ '@timestamp': new Date(T + i * 1000).toISOString(), event: { id: `id-${i}` }, pad: 'x'.repeat(50) }),
});

/** A fake _bulk: parses each body, answers per document by a rule, records what it received. */
class FakeBulk implements BulkTransport {
  bodies: string[] = [];
  stored = new Map<string, string>();
  failRequests = 0;
  constructor(private readonly answer: (id: string, attempt: number) => number = () => 201) {}
  private attempts = new Map<string, number>();
  async bulk(body: string): Promise<BulkItemResult[]> {
    this.bodies.push(body);
    if (this.failRequests > 0) {
      this.failRequests--;
      throw new BulkRequestError('connect ECONNREFUSED 127.0.0.1:9200');
    }
    const lines = body.trimEnd().split('\n');
    const out: BulkItemResult[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]).create;
      const n = (this.attempts.get(action._id) ?? 0) + 1;
      this.attempts.set(action._id, n);
      let status = this.answer(action._id, n);
      if (status === 201 && this.stored.has(action._id)) status = 409;
      if (status === 201) this.stored.set(action._id, `${action._index} ${lines[i + 1]}`);
      out.push(status < 300 ? { status } : { status, error: { type: status === 400 ? 'mapper_parsing_exception' : 'es_rejected_execution_exception', reason: `status ${status}` } });
    }
    return out;
  }
}

function writer(transport: BulkTransport, over: Partial<ConstructorParameters<typeof BulkWriter>[0]> = {}) {
  const clock = new ManualClock(0);
  const slept: number[] = [];
  const metrics = new PromMetricsRegistry();
  const w = new BulkWriter({
    transport,
    indexPrefix: 'p.',
    maxDocs: 100,
    maxBytes: 1_000_000,
    retryForMs: 20_000,
    clock,
    metrics,
    log: silentLogger,
    random: () => 1,
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    ...over,
  });
  return { w, slept, metrics };
}

describe('bulk writer', () => {
  it('sends create actions into the daily index of each event time, with the record id', async () => {
    const fake = new FakeBulk();
    const { w } = writer(fake);
    const docs = [doc(0), { ...doc(1, 'findings'), timestamp: Date.parse('2026-02-11T00:00:01Z') }];
    expect(await w.write(docs)).toEqual({ indexed: 2, duplicates: 0, rejected: [] });
    expect(fake.stored.get('id-0')).toBe(`p.callsentry-flows-sip-2026.02.10 ${docs[0].source}`);
    expect(fake.stored.get('id-1')?.startsWith('p.callsentry-findings-2026.02.11 ')).toBe(true);
  });

  it('splits a large write by document count and by bytes', async () => {
    const docs = Array.from({ length: 250 }, (_, i) => doc(i));
    const byCount = new FakeBulk();
    await writer(byCount, { maxDocs: 100 }).w.write(docs);
    expect(byCount.bodies.map((b) => b.split('\n').length / 2 - 0.5)).toEqual([100, 100, 50]);

    const byBytes = new FakeBulk();
    const maxBytes = 10_000;
    await writer(byBytes, { maxDocs: 1000, maxBytes }).w.write(docs);
    expect(byBytes.bodies.length).toBeGreaterThan(2);
    for (const b of byBytes.bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(maxBytes);
    expect(byBytes.stored.size).toBe(250);
  });

  it('counts a document already there (409) as a duplicate, so a replay writes nothing twice', async () => {
    const fake = new FakeBulk();
    const { w, metrics } = writer(fake);
    const docs = Array.from({ length: 10 }, (_, i) => doc(i));
    await w.write(docs.slice(0, 6));
    expect(await w.write(docs)).toEqual({ indexed: 4, duplicates: 6, rejected: [] });
    expect(fake.stored.size).toBe(10);
    expect(await metrics.counter('callsentry_index_documents_total', '').get({ kind: 'flows-sip', result: 'duplicate' })).toBe(6);
  });

  it('returns documents refused for good with their position and reason, and retries those refused for now', async () => {
    // id-3 has a bad value (400); id-5 meets a full write queue twice (429) and then gets in
    const fake = new FakeBulk((id, attempt) => (id === 'id-3' ? 400 : id === 'id-5' && attempt <= 2 ? 429 : 201));
    const { w, slept } = writer(fake);
    const report = await w.write(Array.from({ length: 8 }, (_, i) => doc(i)));
    expect(report.indexed).toBe(7);
    expect(report.rejected).toEqual([{ position: 3, reason: 'mapper_parsing_exception: status 400' }]);
    expect(slept).toHaveLength(2);
    // only the refused document is sent again
    expect(fake.bodies.slice(1).map((b) => JSON.parse(b.split('\n')[0]).create._id)).toEqual(['id-5', 'id-5']);
  });

  it('keeps retrying a cluster that is down, with growing delays, and loses nothing when it is back', async () => {
    const fake = new FakeBulk();
    fake.failRequests = 6;
    const { w, slept, metrics } = writer(fake);
    const report = await w.write(Array.from({ length: 20 }, (_, i) => doc(i)));
    expect(report).toEqual({ indexed: 20, duplicates: 0, rejected: [] });
    expect(slept).toHaveLength(6);
    for (let i = 1; i < slept.length; i++) expect(slept[i]).toBeGreaterThanOrEqual(slept[i - 1]);
    expect(await metrics.counter('callsentry_index_bulk_retries_total', '').get({ cause: 'request' })).toBe(6);
  });

  it('gives the batch back as retriable INDEX_UNAVAILABLE when the cluster stays down past the retry window', async () => {
    const fake = new FakeBulk();
    fake.failRequests = 1_000;
    const { w, slept } = writer(fake, { retryForMs: 20_000 });
    const err = await w.write([doc(0)]).catch((e) => e);
    expect(err).toBeInstanceOf(CallsentryError);
    expect(err).toMatchObject({ code: 'INDEX_UNAVAILABLE', retriable: true });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(fake.stored.size).toBe(0);
  });
});
