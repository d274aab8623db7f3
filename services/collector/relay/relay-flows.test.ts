import fixture from '../../adapters/coturn/fixtures/coturn-4.6.1-session.json';
import { parsePeerLogLine } from '../../adapters/coturn/log-peer-line';
import type { RelayEvent, StatusEvent, TrafficEvent } from '../../adapters/coturn/relay-events';
import { parseStatsMessage } from '../../adapters/coturn/stats-message';
import type { MediaFlow } from '../../core/records';
import { validateMediaFlow } from '../../core/validate';
import { RelayFlows, type RelayOutput } from './relay-flows';

const T0 = Date.parse('2026-11-22T00:46:48Z');
const ref = { realm: 'callsentry.test', user: 'lab', allocationId: '7' };
const status = (s: StatusEvent['status'], lifetimeSeconds = 600): StatusEvent => ({
  ...ref, kind: 'status', status: s,
  ...(s === 'deleted' ? {} : { lifetimeSeconds, transport: 'udp', local: { ip: '127.0.0.1', port: 3478 }, remote: { ip: '192.0.2.10', port: 40000 } }),
});
const traffic = (kind: TrafficEvent['kind'], n: number, side: TrafficEvent['side'] = 'client'): TrafficEvent => ({
  ...ref, kind, side, counters: { rcvp: n, rcvb: n * 100, sentp: n, sentb: n * 100 },
});
const records = (out: RelayOutput[]): MediaFlow[] => out.flatMap((o) => (o.kind === 'record' ? [o.record] : []));

/** The captured session replayed one event every 100 ms: peers from the log first, as they were logged. */
function replayFixture(flows: RelayFlows): { out: RelayOutput[]; end: number } {
  const out: RelayOutput[] = [];
  let now = T0;
  for (const line of fixture.log) {
    const peer = parsePeerLogLine(line);
    if (peer) out.push(...flows.apply(peer, now));
  }
  for (const m of fixture.messages) {
    const p = parseStatsMessage(m.channel, m.message);
    if (!p.ok) throw new Error(p.bad.detail);
    out.push(...flows.apply(p.value, (now += 100)), ...flows.tick(now));
  }
  return { out, end: now };
}

describe('RelayFlows on the captured coturn session', () => {
  it('turns the whole allocation into one valid record with coturn\'s totals, user, realm and peer', () => {
    const { out } = replayFixture(new RelayFlows());
    const recs = records(out);
    expect(recs).toHaveLength(1);
    const r = recs[0] as MediaFlow;
    expect(validateMediaFlow(r) || validateMediaFlow.lastError()).toBe(true);
    expect(r.media).toMatchObject({
      srtp: false, packets: 3011 + 3011, bytes: 313212 + 312928,
      relay: { user: 'lab', realm: 'callsentry.test', peers: ['127.0.0.1'] },
    });
    expect(r.source).toEqual({ ip: '127.0.0.1', port: 44210 });
    expect(r.destination).toEqual({ ip: '127.0.0.1', port: 3478 });
    expect(r.network.transport).toBe('udp');
    expect(r.media.duration_ms).toBeGreaterThan(0);
  });

  it('closes the allocation that never reported its end once its lifetime (777 s) and the grace are over', () => {
    const flows = new RelayFlows({ graceMs: 1000 });
    replayFixture(flows); // its last report came at T0 + 200 ms
    expect(flows.stats.live).toBe(1);
    expect(flows.tick(T0 + 200 + 778_000)).toEqual([]);
    const late = flows.tick(T0 + 200 + 778_001);
    expect(records(late)).toHaveLength(1);
    expect(records(late)[0]?.media).toMatchObject({ packets: 0, bytes: 0, relay: { user: 'lab' } });
    expect(flows.stats).toMatchObject({ live: 0, timedOut: 1 });
  });

  it('gives the same event ids to the same input, so a replay is idempotent', () => {
    const a = records(replayFixture(new RelayFlows()).out).map((r) => r.event.id);
    const b = records(replayFixture(new RelayFlows()).out).map((r) => r.event.id);
    expect(a).toEqual(b);
  });
});

describe('RelayFlows', () => {
  it('emits settled traffic as interim deltas and the remainder of coturn\'s total at the end', () => {
    const flows = new RelayFlows({ settleMs: 2000 });
    flows.apply(status('new'), T0);
    flows.apply(traffic('traffic', 1000), T0 + 10_000);
    expect(flows.tick(T0 + 11_000)).toEqual([]); // not settled: a final report may follow
    const interim = records(flows.tick(T0 + 12_000));
    expect(interim.map((r) => [r.media.packets, r.media.duration_ms])).toEqual([[2000, 12_000]]);
    flows.apply(traffic('traffic', 500), T0 + 20_000);
    flows.apply(status('deleted'), T0 + 20_001);
    const final = records(flows.apply(traffic('total_traffic', 1600), T0 + 20_002));
    // coturn's total counts 100 packets each way that no interim report carried
    expect(final.map((r) => [r.media.packets, r.media.bytes, r.media.duration_ms])).toEqual([[1200, 120_000, 8001]]);
    expect(final[0]?.['@timestamp']).toBe(new Date(T0 + 20_001).toISOString());
    expect(interim[0]?.event.id).not.toBe(final[0]?.event.id);
    expect(flows.stats.live).toBe(0);
  });

  it('ignores peer-side counters and reports that arrive after the allocation closed', () => {
    const flows = new RelayFlows();
    flows.apply(status('new'), T0);
    flows.apply(traffic('traffic', 9, 'peer'), T0 + 1);
    flows.apply(status('deleted'), T0 + 2);
    expect(records(flows.apply(traffic('total_traffic', 3), T0 + 3))[0]?.media.packets).toBe(6);
    expect(flows.apply(traffic('total_traffic', 3, 'peer'), T0 + 4)).toEqual([]);
    expect(flows.apply(status('deleted'), T0 + 5)).toEqual([]);
    expect(flows.stats.live).toBe(0);
  });

  it('closes a deleted allocation whose total never came, after the settle time', () => {
    const flows = new RelayFlows({ settleMs: 500 });
    flows.apply(status('new'), T0);
    flows.apply(traffic('traffic', 4), T0 + 100);
    flows.apply(status('deleted'), T0 + 200);
    expect(flows.tick(T0 + 600)).toEqual([]);
    expect(records(flows.tick(T0 + 700)).map((r) => r.media.packets)).toEqual([8]);
  });

  it('reports an allocation whose client address it never learnt as unusable, not as a record', () => {
    const flows = new RelayFlows();
    flows.apply(traffic('traffic', 4), T0);
    flows.apply({ ...status('deleted') }, T0 + 1);
    expect(flows.apply(traffic('total_traffic', 4), T0 + 2)).toEqual([{ kind: 'unusable', allocationId: '7', reason: 'no-client-address', packets: 8 }]);
  });

  it('keeps at most maxAllocations, closing the least recently seen with a final record', () => {
    const flows = new RelayFlows({ maxAllocations: 2 });
    const at = (id: string, e: RelayEvent): RelayEvent => ({ ...e, allocationId: id });
    flows.apply(at('1', status('new')), T0);
    flows.apply(at('2', status('new')), T0 + 1);
    flows.apply(at('1', traffic('traffic', 1)), T0 + 2); // 1 is now the most recently seen
    const out = flows.apply(at('3', status('new')), T0 + 3);
    expect(out.map((o) => [o.allocationId, o.kind === 'record' && o.final])).toEqual([['2', true]]);
    expect(flows.stats).toMatchObject({ live: 2, evicted: 1 });
  });

  it('bounds the peers of one allocation and dedupes them by address', () => {
    const flows = new RelayFlows({ maxPeers: 2 });
    flows.apply(status('new'), T0);
    for (const ip of ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      flows.apply({ kind: 'peer', allocationId: '7', peer: { ip, port: 5000 }, change: 'updated' }, T0);
    }
    flows.apply(status('deleted'), T0 + 1);
    expect(records(flows.apply(traffic('total_traffic', 1), T0 + 2))[0]?.media.relay?.peers).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('flushes pending counts on shutdown without closing allocations', () => {
    const flows = new RelayFlows();
    flows.apply(status('new'), T0);
    flows.apply(traffic('traffic', 5), T0 + 1);
    expect(records(flows.flush(T0 + 2)).map((r) => r.media.packets)).toEqual([10]);
    expect(flows.stats.live).toBe(1);
  });
});
