import { silentLogger } from '../core/ports';
import { CallsentryError } from '../core/errors';
import type { BusMessage, DocumentIndex, IndexDocument, IndexReport } from '../core/ports';
import type { StageContext } from '../core/stage';
import { Topics } from '../core/topics';
import { indexStage } from './index-stage';

const topics = new Topics('t.');
const msg = (topic: string, value: unknown, offset = 0): BusMessage => ({
  topic,
  partition: 0,
  offset: String(offset),
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: {},
  timestamp: 0,
});
const flow = (id: string) => ({ '@timestamp': '2026-02-10T09:00:00.000Z', event: { id, kind: 'event', dataset: 'sip.flow' } });

class FakeIndex implements DocumentIndex {
  written: IndexDocument[] = [];
  refuse = new Set<string>();
  down = false;
  async init() {}
  async expire() {
    return [];
  }
  async close() {}
  async write(docs: IndexDocument[]): Promise<IndexReport> {
    if (this.down) throw new CallsentryError('INDEX_UNAVAILABLE', 'down', { retriable: true });
    const rejected = docs.flatMap((d, position) => (this.refuse.has(d.id) ? [{ position, reason: 'mapper_parsing_exception: bad ip' }] : []));
    this.written.push(...docs.filter((d) => !this.refuse.has(d.id)));
    return { indexed: docs.length - rejected.length, duplicates: 0, rejected };
  }
}

function context() {
  const dead: Array<{ offset: string; code: string; detail: string }> = [];
  const ctx: StageContext = {
    emit: () => undefined,
    deadLetter: (m, code, detail) => dead.push({ offset: m.offset, code, detail }),
    decode: (m) => JSON.parse(m.value.toString()),
    latestState: async () => undefined,
    offsetAt: async () => undefined,
    log: silentLogger,
  };
  return { ctx, dead };
}

describe('index stage', () => {
  it('reads the flow, finding, decision and audit topics, not the by-account copy of the SIP flows', () => {
    const stage = indexStage({ topics, index: new FakeIndex() });
    expect(stage.topics.sort()).toEqual(['t.audit.log.v1', 't.decisions.outcomes.v1', 't.findings.v1', 't.flows.media.v1', 't.flows.sip.v1']);
    expect(stage.groupId).toBe('t.callsentry-index');
  });

  it('indexes each record under its own id and event time, with its JSON as it came', async () => {
    const index = new FakeIndex();
    const stage = indexStage({ topics, index });
    const { ctx, dead } = context();
    await stage.process({ topic: 't.flows.sip.v1', partition: 0, messages: [msg('t.flows.sip.v1', flow('a')), msg('t.flows.sip.v1', flow('b'), 1)] }, ctx);
    await stage.process({ topic: 't.decisions.outcomes.v1', partition: 0, messages: [msg('t.decisions.outcomes.v1', { '@timestamp': '2026-02-10T09:00:01Z', id: 'd1' })] }, ctx);
    await stage.process({ topic: 't.audit.log.v1', partition: 0, messages: [msg('t.audit.log.v1', { '@timestamp': '2026-02-10T09:00:02Z', sequence: 7, hash: 'ab'.repeat(32) })] }, ctx);
    expect(dead).toEqual([]);
    expect(index.written.map((d) => `${d.kind} ${d.id} ${new Date(d.timestamp).toISOString()}`)).toEqual([
      'flows-sip a 2026-02-10T09:00:00.000Z',
      'flows-sip b 2026-02-10T09:00:00.000Z',
      'decisions d1 2026-02-10T09:00:01.000Z',
      `audit ${'ab'.repeat(32)} 2026-02-10T09:00:02.000Z`,
    ]);
    expect(JSON.parse(index.written[0].source)).toEqual(flow('a'));
  });

  it('dead-letters what cannot be a document, and what the index refuses, each with its reason; the rest is indexed', async () => {
    const index = new FakeIndex();
    index.refuse.add('bad-ip');
    const stage = indexStage({ topics, index });
    const { ctx, dead } = context();
    const t = 't.flows.sip.v1';
    await stage.process(
      {
        topic: t,
        partition: 0,
        messages: [msg(t, '{oops', 0), msg(t, flow('ok1'), 1), msg(t, { event: { id: 'no-time' } }, 2), msg(t, flow('bad-ip'), 3), msg(t, { '@timestamp': '2026-02-10T09:00:00Z' }, 4), msg(t, flow('ok2'), 5)],
      },
      ctx,
    );
    expect(dead.map((d) => `${d.offset} ${d.code}`)).toEqual(['0 BAD_JSON', '2 BAD_RECORD', '4 BAD_RECORD', '3 INDEX_REJECTED']);
    expect(dead.find((d) => d.code === 'INDEX_REJECTED')?.detail).toMatch(/mapper_parsing_exception/);
    expect(index.written.map((d) => d.id)).toEqual(['ok1', 'ok2']);
  });

  it('fails the batch while the index is unavailable, so the bus commits nothing and re-delivers it', async () => {
    const index = new FakeIndex();
    index.down = true;
    const stage = indexStage({ topics, index });
    const { ctx, dead } = context();
    await expect(stage.process({ topic: 't.findings.v1', partition: 0, messages: [msg('t.findings.v1', flow('f1'))] }, ctx)).rejects.toMatchObject({ code: 'INDEX_UNAVAILABLE', retriable: true });
    expect(dead).toEqual([]);
  });
});
