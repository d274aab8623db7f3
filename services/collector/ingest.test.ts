import { DEFAULT_DIAL_PLAN } from '../core/dial-plan';
import { PromMetricsRegistry } from '../adapters/metrics-prom/prom-registry';
import { HEADER, Topics } from '../core/topics';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { Ingest } from './ingest';
import { demoScenario, generate } from './synthetic';

describe('Ingest (the collector edge)', () => {
  it('keeps every good record and dead-letters each bad one with its reason, counted', async () => {
    const bus = new MemoryBus();
    const topics = new Topics('t.');
    const metrics = new PromMetricsRegistry();
    const ingest = new Ingest({ producer: await bus.producer(), topics, metrics, sensor: 'sensor-1', batchSize: 3 });
    const good = generate(demoScenario(Date.parse('2026-01-01T00:00:00Z'), 12), 10, 11).slice(0, 20);
    const wrongType = { ...good[0], source: { ip: '192.0.2.1', port: 'x' } };

    for (const [i, r] of good.entries()) {
      await ingest.line(JSON.stringify(r));
      if (i === 3) await ingest.line('{"not json');
      if (i === 7) await ingest.line(JSON.stringify(wrongType));
      if (i === 9) await ingest.oversized('{"event":{"id":"huge"', 5_000_000);
    }
    await ingest.flush();

    const kept = bus.read('t.flows.sip.v1').map((m) => JSON.parse(m.value.toString()).event.id);
    expect(kept.sort()).toEqual(good.map((r) => r.event.id).sort());
    const dlq = bus.read('t.flows.sip.v1.dlq');
    expect(dlq.map((m) => m.headers[HEADER.dlqReason])).toEqual(['BAD_JSON', 'BAD_RECORD', 'OVERSIZED']);
    expect(dlq[1].headers[HEADER.dlqDetail]).toMatch(/port must be integer/);
    expect(ingest.stats).toMatchObject({ accepted: 20, sip: 20, rejected: { BAD_JSON: 1, BAD_RECORD: 1, OVERSIZED: 1 } });
    expect(await metrics.render()).toMatch(/callsentry_collector_rejected_total\{reason="BAD_JSON"\} 1/);
    // records are keyed by the source's /24 (an address's records and its network's stay together) and carry the sensor header
    const first = bus.read('t.flows.sip.v1')[0];
    expect(first.key).toBe(JSON.parse(first.value.toString()).source.ip.replace(/\.\d+$/, '.0/24'));
    expect(first.headers[HEADER.sensor]).toBe('sensor-1');
    await bus.close();
  });
});

describe('Ingest.flush under concurrent arrivals', () => {
  it('loses nothing and keeps per-key order when records arrive while a flush is sending', async () => {
    const sent: string[] = [];
    const slowProducer = {
      send: async (topic: string, messages: Array<{ value: Buffer | string }>) => {
        await new Promise((r) => setTimeout(r, 5));
        // the flows themselves; their re-keyed copies (by account, by destination) go elsewhere
        if (topic !== 'flows.sip.v1') return;
        for (const m of messages) sent.push(JSON.parse(m.value.toString()).event.id);
      },
    };
    const ingest = new Ingest({ producer: slowProducer, topics: new Topics(), metrics: new PromMetricsRegistry(), sensor: 's', batchSize: 1000 });
    const records = generate(demoScenario(Date.parse('2026-01-01T00:00:00Z'), 12), 10, 11).slice(0, 60);
    const flushes: Array<Promise<void>> = [];
    for (const [i, r] of records.entries()) {
      await ingest.record(r);
      if (i % 7 === 0) flushes.push(ingest.flush()); // a timer firing, not awaited by the source
    }
    flushes.push(ingest.flush());
    await Promise.all(flushes);
    expect(sent).toEqual(records.map((r) => r.event.id));
  });
});

describe('Ingest canonicalises addresses once, at the edge', () => {
  it('writes every spelling of an address, in records and keys, as its one canonical text', async () => {
    const bus = new MemoryBus();
    const topics = new Topics();
    const ingest = new Ingest({ producer: await bus.producer(), topics, metrics: new PromMetricsRegistry(), sensor: 's' });
    const flow = (id: string, src: string, dst: string) => ({
      '@timestamp': '2026-01-01T00:00:00.000Z',
      event: { id, kind: 'event', dataset: 'sip.flow' },
      source: { ip: src, port: 5060 },
      destination: { ip: dst, port: 5060 },
      network: { transport: 'udp' },
      sip: { call_id: id, method: 'REGISTER', status: 200, auth_user: '101', source_proven: true },
    });
    await ingest.line(JSON.stringify(flow('a', '2001:DB8:0:0:0:0:0:101', '2001:0db8::0010')));
    await ingest.line(JSON.stringify(flow('b', '::FFFF:198.18.0.101', '::ffff:c612:a')));
    await ingest.flush();
    const sip = bus.read('flows.sip.v1').map((m) => ({ key: m.key, ...JSON.parse(m.value.toString()) }));
    expect(sip.map((r) => [r.event.id, r.key, r.source.ip, r.destination.ip]).sort()).toEqual([
      ['a', '2001:db8::/48', '2001:db8::101', '2001:db8::10'],
      ['b', '198.18.0.0/24', '198.18.0.101', '198.18.0.10'],
    ]);
    await bus.close();
  });
});

describe('Ingest reads every dialled number once, at the edge', () => {
  it('adds the number fields to NDJSON lines with the tenant\'s plan, and replaces the ones a line made up', async () => {
    const bus = new MemoryBus();
    const ingest = new Ingest({
      producer: await bus.producer(),
      topics: new Topics(),
      metrics: new PromMetricsRegistry(),
      sensor: 's',
      dialPlans: { default: DEFAULT_DIAL_PLAN, tenants: { 'acme-uk': { home_country: 'GB', trunk_prefix: '0', international_prefixes: ['+', '00'], carrier_codes: [] } } },
    });
    const line = (id: string, user: string, extra: object = {}) =>
      JSON.stringify({ '@timestamp': '2026-01-01T00:00:00.000Z', event: { id, kind: 'event', dataset: 'sip.flow' }, source: { ip: '192.0.2.1' }, destination: { ip: '192.0.2.10' }, network: { transport: 'udp' }, sip: { call_id: id, method: 'INVITE', to: { user } }, ...extra });
    await ingest.line(line('a', '1010333011972-3-555-1234'));
    await ingest.line(line('b', '02079460065', { organization: { id: 'acme-uk' } }));
    await ingest.line(JSON.stringify({ ...JSON.parse(line('c', '101')), sip: { call_id: 'c', method: 'INVITE', to: { user: '101', e164: '+18765551234', country: 'JM' } } }));
    await ingest.flush();
    const to = Object.fromEntries(bus.read('flows.sip.v1').map((m) => JSON.parse(m.value.toString())).map((r) => [r.event.id, r.sip.to]));
    expect(to).toEqual({
      a: { user: '1010333011972-3-555-1234', e164: '+97235551234', country: 'IL', number_type: 'fixed_line', dial_prefix: '1010333011' },
      b: { user: '02079460065', e164: '+442079460065', country: 'GB', number_type: 'fixed_line', dial_prefix: '0' },
      c: { user: '101' },
    });
  });
});
