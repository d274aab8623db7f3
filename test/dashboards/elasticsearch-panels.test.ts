// Every Elasticsearch panel of every dashboard, executed against the real Elasticsearch: the query
// and aggregations Grafana would send (rebuilt from the generated JSON) must return data. The data
// is the lab recording replayed through the embedded pipeline (collector, detectors, enforcer in
// dry-run, audit chain) into the indexer, with what a day at the NOC adds: a tenant that requires
// TLS (policy findings), a call with RTP (media flows), torture messages the parser refuses
// (malformed SIP, through the collector's own path) and an operator's unblock through the API.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MemoryBus } from '../../services/adapters/memory-bus/memory-bus';
import { Ingest } from '../../services/collector/ingest';
import { malformedRecord } from '../../services/collector/malformed-record';
import { parseSipMessage } from '../../services/collector/sip/parse-message';
import { DATA_DIR } from '../../services/collector/sip/test-support/data-dir';
import { feedCapture } from '../../services/commands/feed-capture';
import type { CommandIo } from '../../services/commands/io';
import { startOperatorApi } from '../../services/console/operator-api';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import { silentLogger, type Subscription } from '../../services/core/ports';
import type { Enforcer } from '../../services/enforcer/enforcer';
import { startIndexer } from '../../services/indexer/main';
import { createRuntime, ensureTopics } from '../../services/runtime/runtime';
import { startAll } from '../../services/runtime/stages';
import { DASHBOARDS } from '../../dashboards/src/all';
import { renderDashboard } from '../../dashboards/src/dashboard';
import { DS, indexPattern } from '../../dashboards/src/datasources';
import { deleteIndices, esClient, indexerSettings, requireElasticsearch } from '../support/elasticsearch';
import { dataPoints, searchBody } from '../support/grafana-es';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };
const SOURCES = Object.values(DS);

const esTargets = DASHBOARDS.flatMap((d) =>
  (renderDashboard(d) as Json).rows
    .flatMap((r: Json) => r.panels)
    .filter((p: Json) => p.datasource.type === 'elasticsearch')
    .flatMap((p: Json) => p.targets.map((t: Json) => ({ dashboard: d.uid, panel: p.title, target: t }))),
) as Array<{ dashboard: string; panel: string; target: Json }>;

describe('Elasticsearch panels against a real Elasticsearch', () => {
  const tenant = `lab-${randomBytes(3).toString('hex')}`;
  const settings = indexerSettings();
  const es = esClient();

  beforeAll(async () => {
    await requireElasticsearch();
    const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
    cfg.collector.tenant = tenant;
    cfg.indexer = settings;
    cfg.detectors = { 'policy/unencrypted-signalling': { tls_required_tenants: [tenant] } };
    cfg.api.listen = null;
    const bus = new MemoryBus();
    const rt = createRuntime(cfg, { bus, log: silentLogger });
    await ensureTopics(rt);
    let enforcer: Enforcer | undefined;
    const subs: Subscription[] = await startAll(rt, undefined, { onEnforcer: (e) => (enforcer = e) });
    subs.push(await startIndexer(rt));
    const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'lab', tenant });

    for (const capture of ['lab-dev/pbx.pcap', 'pcap-benign/sipnab_sip-rtp-g711.pcap']) await feedCapture(ingest, path.join(DATA_DIR, capture), io, 'lab', tenant);
    // what the collector makes of messages its parser refuses: malformed-SIP events in the flow stream
    const dir = path.join(DATA_DIR, 'sip-messages', 'rfc4475');
    let malformed = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.dat'))) {
      const r = parseSipMessage(readFileSync(path.join(dir, f)));
      if (r.ok) continue;
      malformed++;
      await ingest.record(malformedRecord({ timeMs: Date.now(), src: { ip: '198.51.100.66', port: 5060 }, dst: { ip: '198.51.100.1', port: 5060 }, transport: 'udp', reason: r.reason, detail: r.detail, observerId: 'lab' }));
    }
    expect(malformed).toBeGreaterThan(0);
    await ingest.flush();
    await bus.drained();

    // an operator lifts a block through the operator API, as `callsentry blocks unblock` does
    const token = 'dashboard-test-token-0123456789';
    const api = await startOperatorApi({ listen: '127.0.0.1:0', token, enforcer: enforcer!, producer: await bus.producer(), topics: rt.topics, clock: rt.clock, log: silentLogger });
    const res = await fetch(`${api.url}/v1/blocks/unblock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-callsentry-on-behalf-of': 'ana' },
      body: JSON.stringify({ target: '198.18.0.66', why: 'dashboard test', ticket: 'NOC-1' }),
    });
    expect(res.status).toBe(202);
    await bus.drained();
    await api.close();
    for (const s of subs) await s.stop();
    await bus.close();
    await es.indices.refresh({ index: `${settings.index_prefix}callsentry-*` });
  });

  afterAll(async () => {
    await deleteIndices(settings.index_prefix);
    await es.close();
  });

  it('knows the dashboards have Elasticsearch panels on every index kind', () => {
    expect(esTargets.length).toBeGreaterThanOrEqual(20);
    expect(new Set(esTargets.map((t) => t.target.datasource.uid))).toEqual(new Set(SOURCES.filter((s) => s.type === 'elasticsearch').map((s) => s.uid)));
  });

  it.each(esTargets.map((t) => [`${t.dashboard} / ${t.panel}`, t]))('%s returns data', async (_name, t) => {
    const source = SOURCES.find((s) => s.uid === t.target.datasource.uid);
    if (!source || source.type !== 'elasticsearch') throw new Error(`panel names datasource ${t.target.datasource.uid}, which is not an Elasticsearch one`);
    // every capture's time (the RTP call is years old) and now (the operator's actions)
    const range = { from: Date.UTC(2000, 0, 1), to: Date.now() + 60_000 };
    const response = await es.search({ index: indexPattern(source, settings.index_prefix), ...searchBody(t.target, range, { tenant }) });
    expect({ panel: t.panel, points: dataPoints(t.target, response) > 0 }).toEqual({ panel: t.panel, points: true });
  });
});
