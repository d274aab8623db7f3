// Incidents in Elasticsearch: one document per incident holding its latest version, whatever order
// or how often the versions arrive (the revision is the external version). The indexer reads an
// in-process bus; Elasticsearch is the project's test node: `npm run es:start`.
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import { encode } from '../../services/core/codec';
import { silentLogger } from '../../services/core/ports';
import type { Finding, Incident } from '../../services/core/records';
import { MemoryBus } from '../../services/adapters/memory-bus/memory-bus';
import { Correlator } from '../../services/incidents/correlator';
import { startIndexer } from '../../services/indexer/main';
import { createRuntime, ensureTopics } from '../../services/runtime/runtime';
import { countDocs, deleteIndices, esClient, indexerSettings, requireElasticsearch } from '../support/elasticsearch';

const T0 = Date.now() - 600_000;

function finding(id: string, s: number, ip: string, behavior: string, severity: Finding['severity']): Finding {
  const at = new Date(T0 + s * 1000).toISOString();
  return {
    '@timestamp': at,
    event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: `test/${behavior.replace(':', '-')}`, name: behavior, category: 'recon' },
    severity,
    key: { type: 'ip', value: ip },
    window: { start: at, end: at, seconds: 10 },
    counts: { records: 1 },
    evidence: { record_ids: ['r1'], observed: { users: ['100', '101'] } },
    labels: { behavior },
    remediation: 'alert-only',
    first_seen: at,
    last_seen: at,
  };
}

describe('incidents in Elasticsearch', () => {
  beforeAll(requireElasticsearch);

  it('keeps one document per incident, its latest version, also when an older version comes again', async () => {
    const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
    cfg.indexer = indexerSettings();
    const prefix = cfg.indexer.index_prefix;
    const bus = new MemoryBus();
    const rt = createRuntime(cfg, { bus, log: silentLogger });
    await ensureTopics(rt);
    const sub = await startIndexer(rt);
    const es = esClient();
    try {
      const c = new Correlator(DEFAULT_CONFIG.incidents);
      const versions: Incident[] = [
        ...c.finding(finding('f1', 0, '203.0.113.7', 'sip:scan', 'medium')),
        ...c.finding(finding('f2', 10, '203.0.113.7', 'sip:bruteforce', 'critical')),
        ...c.finding(finding('f3', 20, '198.51.100.9', 'sip:scan', 'low')),
      ];
      versions.push(...c.action({ '@timestamp': new Date(T0 + 30_000).toISOString(), id: 'a1', incident_id: versions[0].id, action: 'ack', operator: { who: 'ana', why: 'on it', ticket: 'NOC-1' } }));
      const producer = await bus.producer();
      await producer.send(rt.topics.name('incidents.v1'), versions.map((v) => encode(v.id, v)));
      // an older version re-delivered must not win
      await producer.send(rt.topics.name('incidents.v1'), [encode(versions[0].id, versions[0])]);
      await bus.drained();

      expect(await countDocs(es, prefix, 'incidents')).toBe(2);
      const hits = (await es.search<Incident>({ index: `${prefix}callsentry-incidents-*`, query: { term: { id: versions[0].id } } })).hits.hits;
      expect(hits).toHaveLength(1);
      expect(hits[0]._source).toMatchObject({ revision: 3, status: 'acknowledged', severity: 'critical', phases: ['scan', 'brute-force'] });
      const open = await es.count({ index: `${prefix}callsentry-incidents-*`, query: { bool: { filter: [{ term: { status: 'open' } }, { term: { severity: 'low' } }] } } });
      expect(open.count).toBe(1);
    } finally {
      await sub.stop();
      await bus.close();
      await es.close();
      await deleteIndices(prefix);
    }
  });
});
