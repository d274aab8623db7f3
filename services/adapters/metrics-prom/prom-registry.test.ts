import { PromMetricsRegistry } from './prom-registry';

describe('metrics registry (prom-client)', () => {
  it('renders counters, gauges and histograms in the Prometheus text format, labels escaped', async () => {
    const m = new PromMetricsRegistry();
    m.counter('c_total', 'a counter').inc({ stage: 'detect' }, 3);
    m.counter('c_total', 'same one').inc({ stage: 'detect' });
    m.gauge('g', 'a gauge').set({ note: 'say "hi"\n' }, 7);
    m.gauge('unused', 'never set');
    const h = m.histogram('h_seconds', 'a histogram', [0.1, 1]);
    h.observe({ stage: 'x' }, 0.05);
    h.observe({ stage: 'x' }, 0.5);
    h.observe({ stage: 'x' }, 5);
    expect((await m.render()).split('\n')).toEqual([
      '# HELP c_total a counter',
      '# TYPE c_total counter',
      'c_total{stage="detect"} 4',
      '',
      '# HELP g a gauge',
      '# TYPE g gauge',
      'g{note="say \\"hi\\"\\n"} 7',
      '',
      '# HELP h_seconds a histogram',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{le="0.1",stage="x"} 1',
      'h_seconds_bucket{le="1",stage="x"} 2',
      'h_seconds_bucket{le="+Inf",stage="x"} 3',
      'h_seconds_sum{stage="x"} 5.55',
      'h_seconds_count{stage="x"} 3',
      '',
    ]);
    expect(await h.summary({ stage: 'x' })).toEqual({ count: 3, sum: 5.55 });
    expect(await m.counter('c_total', '').get({ stage: 'detect' })).toBe(4);
    expect(await m.counter('c_total', '').get({ stage: 'other' })).toBe(0);
    expect(await m.gauge('unused', '').total()).toBe(0);
  });

  it("carries the process's own metrics (process_*, nodejs_*) when asked to", async () => {
    const text = await new PromMetricsRegistry({ defaultMetrics: true }).render();
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles_total']) {
      expect(text).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? \\d`, 'm'));
    }
    expect(await new PromMetricsRegistry().render()).not.toContain('process_');
  });
});
