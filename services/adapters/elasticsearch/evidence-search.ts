// A finding and the evidence records that may belong to it, read back from the indices the index
// stage writes: the records of its sample flows, and those sampled for its key around its window
// (evidence-link.ts then chooses the calls). Two searches, then one more for the whole calls.
import type { IndexerSettings } from '../../core/config';
import { CallsentryError } from '../../core/errors';
import { evidenceKey } from '../../core/evidence-link';
import type { Finding, SipEvidence } from '../../core/records';
import { createClient, describeClientError } from './es-client';
import { indexBase } from './index-names';

const SLACK_MS = 60_000;
const MAX_RECORDS = 5000;

export async function findingEvidenceFromElasticsearch(s: IndexerSettings, id: string, env: NodeJS.ProcessEnv): Promise<{ finding?: Finding; evidence: SipEvidence[] }> {
  const es = createClient(s.elasticsearch, env);
  const findings = `${indexBase(s.index_prefix, 'findings')}-*`;
  const evidence = `${indexBase(s.index_prefix, 'evidence-sip')}-*`;
  try {
    const f = await es.search<Finding>({ index: findings, size: 1, ignore_unavailable: true, allow_no_indices: true, query: { term: { 'event.id': id } } });
    const finding = f.hits.hits[0]?._source;
    if (!finding) return { evidence: [] };
    const around = { range: { '@timestamp': { gte: new Date(Date.parse(finding.first_seen) - SLACK_MS).toISOString(), lte: new Date(Date.parse(finding.last_seen) + SLACK_MS).toISOString() } } };
    const key = finding.key.type === 'cidr' ? { prefix: { 'evidence.keys': 'ip:' } } : { term: { 'evidence.keys': evidenceKey(finding) } };
    const first = await es.search<SipEvidence>({
      index: evidence,
      size: MAX_RECORDS,
      ignore_unavailable: true,
      allow_no_indices: true,
      sort: [{ '@timestamp': 'asc' }],
      _source: ['sip.call_id'],
      query: { bool: { should: [{ terms: { 'sip.flow_id': finding.evidence.record_ids } }, { bool: { filter: [key, around] } }], minimum_should_match: 1 } },
    });
    const calls = [...new Set(first.hits.hits.map((h) => h._source?.sip.call_id).filter((c): c is string => typeof c === 'string'))].slice(0, 200);
    if (calls.length === 0) return { finding, evidence: [] };
    const whole = await es.search<SipEvidence>({ index: evidence, size: MAX_RECORDS, ignore_unavailable: true, sort: [{ '@timestamp': 'asc' }], query: { terms: { 'sip.call_id': calls } } });
    return { finding, evidence: whole.hits.hits.map((h) => h._source).filter((r): r is SipEvidence => r !== undefined) };
  } catch (err) {
    throw new CallsentryError('INDEX_UNAVAILABLE', `elasticsearch at ${s.elasticsearch.nodes.join(', ')}: ${describeClientError(err)}`, { cause: err });
  } finally {
    await es.close();
  }
}
