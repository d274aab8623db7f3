// The metrics port: counters, gauges and histograms by label set, rendered in the Prometheus text
// format. Core and stages depend on this interface only; the implementation (prom-client, with the
// process_* and nodejs_* metrics) is an adapter, services/adapters/metrics-prom.
export type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  /** The value for one label set (0 when never counted). */
  get(labels?: Labels): Promise<number>;
  /** Sum over every label set. */
  total(): Promise<number>;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  get(labels?: Labels): Promise<number>;
  total(): Promise<number>;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
  /** Observations and their sum for one label set (benchmarks print the mean). */
  summary(labels?: Labels): Promise<{ count: number; sum: number }>;
}

/** Seconds, from a millisecond to ten: batch and request latencies. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Asking twice for one name returns the same metric. */
export interface MetricsRegistry {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram;
  /** Everything, in the Prometheus text format (what /metrics serves). */
  render(): Promise<string>;
  /** The content type of render()'s text. */
  readonly contentType: string;
}
