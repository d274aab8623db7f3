// What Grafana's Elasticsearch datasource sends for a panel target, rebuilt as a search body: the
// Lucene query within the time range, the bucket aggregations nested in panel order, the metric in
// the innermost bucket. Template variables take their "All" value ('*').
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function searchBody(target: Json, range: { from: number; to: number }, variables: Record<string, string> = {}): Json {
  const query = String(target.query || '*').replace(/\$(\w+)/g, (_m, name: string) => variables[name] ?? '*');
  const metric = target.metrics[0];
  const metricAgg = metric.type === 'count' ? undefined : { [metric.id]: { [metric.type]: { field: metric.field } } };
  let aggs: Json | undefined = metricAgg;
  for (const b of [...target.bucketAggs].reverse()) {
    const agg =
      b.type === 'date_histogram'
        ? { date_histogram: { field: b.field, fixed_interval: interval(range), min_doc_count: Number(b.settings.min_doc_count ?? 0), extended_bounds: { min: range.from, max: range.to }, format: 'epoch_millis' } }
        : { terms: { field: b.field, size: Number(b.settings.size), min_doc_count: Number(b.settings.min_doc_count ?? 1), order: b.settings.orderBy === '_count' ? { _count: b.settings.order } : { [b.settings.orderBy]: b.settings.order } } };
    aggs = { [b.id]: { ...agg, ...(aggs ? { aggs } : {}) } };
  }
  return {
    size: 0,
    query: { bool: { filter: [{ range: { [target.timeField]: { gte: range.from, lte: range.to, format: 'epoch_millis' } } }, { query_string: { query, analyze_wildcard: true } }] } },
    aggs,
  };
}

/** Grafana's "auto" interval: the range over about 100 buckets, at least a second. */
function interval(range: { from: number; to: number }): string {
  return `${Math.max(1, Math.round((range.to - range.from) / 100 / 1000))}s`;
}

/** Data points the panel would draw: leaf buckets with documents (and a metric value, if any). */
export function dataPoints(target: Json, response: Json): number {
  const metric = target.metrics[0];
  const walk = (aggs: Json, level: number): number => {
    const b = target.bucketAggs[level];
    const buckets: Json[] = aggs[b.id].buckets;
    return buckets.reduce((n, bucket) => {
      if (level + 1 < target.bucketAggs.length) return n + walk(bucket, level + 1);
      const value = metric.type === 'count' ? bucket.doc_count : bucket[metric.id]?.value;
      return n + (bucket.doc_count > 0 && value !== null && value !== undefined ? 1 : 0);
    }, 0);
  };
  return walk(response.aggregations, 0);
}
