// Panels as data: a title, a visualization and queries (Elasticsearch aggregations or PromQL),
// turned into Grafana panel JSON with grafana-dash-gen. Queries are written as Grafana stores them,
// so the JSON is what Grafana runs and what the tests execute against the real servers.
import { Panels } from 'grafana-dash-gen';
import { DS, type EsSource } from './datasources';

export type EsMetric = { type: 'count' } | { type: 'cardinality' | 'avg' | 'sum' | 'max'; field: string };
export type EsBucket = { type: 'date_histogram' } | { type: 'terms'; field: string; size?: number };

export interface EsQuery {
  source: EsSource;
  /** Lucene query string; variables ($tenant) allowed */
  query: string;
  metric: EsMetric;
  buckets: EsBucket[];
  alias?: string;
}

export interface PromQuery {
  expr: string;
  legend?: string;
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  description: string;
  visual: 'timeseries' | 'table' | 'stat' | 'barchart' | 'piechart';
  /** width in a 24-column grid row: 6, 8, 12 or 24 */
  width: 6 | 8 | 12 | 24;
  es?: EsQuery[];
  prom?: PromQuery[];
  unit?: string;
  /** barchart: stack to 100 % (shares) */
  percent?: boolean;
}

const REFS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function esTarget(q: EsQuery, i: number): object {
  const metric = { id: '1', type: q.metric.type, ...('field' in q.metric ? { field: q.metric.field } : {}) };
  const bucketAggs = q.buckets.map((b, k) =>
    b.type === 'date_histogram'
      ? { id: String(k + 2), type: 'date_histogram', field: '@timestamp', settings: { interval: 'auto', min_doc_count: '0' } }
      : { id: String(k + 2), type: 'terms', field: b.field, settings: { size: String(b.size ?? 10), order: 'desc', orderBy: metric.type === 'count' ? '_count' : '1', min_doc_count: '1' } },
  );
  return { refId: REFS[i], datasource: { type: 'elasticsearch', uid: q.source.uid }, query: q.query, alias: q.alias ?? '', metrics: [metric], bucketAggs, timeField: '@timestamp' };
}

function promTarget(q: PromQuery, i: number): object {
  return { refId: REFS[i], datasource: { type: 'prometheus', uid: DS.prometheus.uid }, expr: q.expr, legendFormat: q.legend ?? '', instant: q.instant ?? false, range: !q.instant };
}

/** Grafana panel JSON; `id` is given so that generation is deterministic. */
export function renderPanel(p: PanelSpec, id: number): Record<string, unknown> {
  if (Boolean(p.es?.length) === Boolean(p.prom?.length)) throw new Error(`panel "${p.title}" needs Elasticsearch or Prometheus queries, not both or none`);
  const base = p.visual === 'table' ? new Panels.Table({ title: p.title, span: p.width / 2 }) : p.visual === 'stat' ? new Panels.SingleStat({ title: p.title, span: p.width / 2 }) : new Panels.Graph({ title: p.title, span: p.width / 2 });
  // grafana-dash-gen's graphite-era defaults (flot renderer, grid thresholds) mean nothing to the
  // panel types used here: keep what it contributes that Grafana reads
  const { title, span, editable } = base.generate() as unknown as Record<string, unknown>;
  const es = p.es?.[0]?.source;
  return {
    title,
    span,
    editable,
    id,
    type: p.visual,
    description: p.description,
    datasource: es ? { type: 'elasticsearch', uid: es.uid } : { type: 'prometheus', uid: DS.prometheus.uid },
    targets: p.es ? p.es.map(esTarget) : p.prom!.map(promTarget),
    fieldConfig: { defaults: { unit: p.unit ?? 'short', ...(p.percent ? { custom: { stacking: { mode: 'percent', group: 'A' } } } : {}) }, overrides: [] },
    options: p.percent ? { stacking: 'percent', legend: { showLegend: true } } : { legend: { showLegend: true } },
  };
}
