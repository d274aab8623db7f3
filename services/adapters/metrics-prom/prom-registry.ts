// The metrics port over prom-client. A process's registry also carries prom-client's default
// metrics (process_* and nodejs_*: memory, CPU, event-loop lag, GC, handles).
// prom-client wants a metric's label names when it is made; the port learns them from the first
// use, so a metric is made then (until it is used it is not rendered at all, as a series without
// samples would say nothing anyway). A later use with a label the first one lacked is a
// programming error, and prom-client says so.
import * as prom from 'prom-client';
import { LATENCY_BUCKETS, type Counter, type Gauge, type Histogram, type Labels, type MetricsRegistry } from '../../core/metrics';

type Made = prom.Counter | prom.Gauge | prom.Histogram;

/** One metric, made in prom-client on its first use. */
class Lazy<M extends Made> {
  private made: M | undefined;
  constructor(private readonly make: (labelNames: string[]) => M) {}
  use(labels: Labels): M {
    return (this.made ??= this.make(Object.keys(labels)));
  }
  async values(): Promise<Array<{ labels: Labels; value: number; metricName?: string }>> {
    if (!this.made) return [];
    return (await this.made.get()).values as Array<{ labels: Labels; value: number; metricName?: string }>;
  }
}

const sameLabels = (a: Labels, b: Labels) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => String(b[k]) === v);

class PromCounter implements Counter {
  constructor(private readonly m: Lazy<prom.Counter>) {}
  inc(labels: Labels = {}, by = 1): void {
    this.m.use(labels).inc(labels, by);
  }
  async get(labels: Labels = {}): Promise<number> {
    return (await this.m.values()).find((v) => sameLabels(labels, v.labels))?.value ?? 0;
  }
  async total(): Promise<number> {
    return (await this.m.values()).reduce((sum, v) => sum + v.value, 0);
  }
}

class PromGauge implements Gauge {
  constructor(private readonly m: Lazy<prom.Gauge>) {}
  set(labels: Labels, value: number): void {
    this.m.use(labels).set(labels, value);
  }
  async get(labels: Labels = {}): Promise<number> {
    return (await this.m.values()).find((v) => sameLabels(labels, v.labels))?.value ?? 0;
  }
  async total(): Promise<number> {
    return (await this.m.values()).reduce((sum, v) => sum + v.value, 0);
  }
}

class PromHistogram implements Histogram {
  constructor(
    private readonly name: string,
    private readonly m: Lazy<prom.Histogram>,
  ) {}
  observe(labels: Labels, value: number): void {
    this.m.use(labels).observe(labels, value);
  }
  async summary(labels: Labels = {}): Promise<{ count: number; sum: number }> {
    const values = await this.m.values();
    const pick = (suffix: string) => values.find((v) => v.metricName === this.name + suffix && sameLabels(labels, v.labels))?.value ?? 0;
    return { count: pick('_count'), sum: pick('_sum') };
  }
}

export class PromMetricsRegistry implements MetricsRegistry {
  readonly registry = new prom.Registry();
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();

  /** defaultMetrics: add prom-client's process_* and nodejs_* metrics (a process's own registry). */
  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) prom.collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  counter(name: string, help: string): Counter {
    return this.register(name, () => new PromCounter(new Lazy((labelNames) => new prom.Counter({ name, help, labelNames, registers: [this.registry] })))) as Counter;
  }
  gauge(name: string, help: string): Gauge {
    return this.register(name, () => new PromGauge(new Lazy((labelNames) => new prom.Gauge({ name, help, labelNames, registers: [this.registry] })))) as Gauge;
  }
  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.register(name, () => new PromHistogram(name, new Lazy((labelNames) => new prom.Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] })))) as Histogram;
  }
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private register(name: string, make: () => Counter | Gauge | Histogram): Counter | Gauge | Histogram {
    let m = this.metrics.get(name);
    if (!m) this.metrics.set(name, (m = make()));
    return m;
  }
}
