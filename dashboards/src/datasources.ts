// The datasources every dashboard names, and what Grafana's provisioning creates for them. One
// Elasticsearch datasource per index kind (the indexer's daily indices), one Prometheus.

export interface EsSource {
  uid: string;
  type: 'elasticsearch';
  name: string;
  /** index kind of the indexer: `<prefix>callsentry-<kind>-YYYY.MM.DD` */
  kind: 'flows-sip' | 'flows-media' | 'findings' | 'decisions' | 'audit' | 'incidents';
}

export interface PromSource {
  uid: string;
  type: 'prometheus';
  name: string;
}

const es = (kind: EsSource['kind']): EsSource => ({ uid: `callsentry-es-${kind}`, type: 'elasticsearch', name: `callsentry ${kind}`, kind });

export const DS = {
  sipFlows: es('flows-sip'),
  mediaFlows: es('flows-media'),
  findings: es('findings'),
  decisions: es('decisions'),
  audit: es('audit'),
  incidents: es('incidents'),
  prometheus: { uid: 'callsentry-prometheus', type: 'prometheus', name: 'callsentry Prometheus' } as PromSource,
};

export const ALL_SOURCES: Array<EsSource | PromSource> = Object.values(DS);

/** The index pattern a datasource reads, for an index prefix (indexer.index_prefix). */
export function indexPattern(s: EsSource, prefix = ''): string {
  return `${prefix}callsentry-${s.kind}-*`;
}
