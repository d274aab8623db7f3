import { MetricsRegistry } from './metrics';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format, labels escaped', () => {
    const m = new MetricsRegistry();
    m.counter('c_total', 'a counter').inc({ stage: 'detect' }, 3);
    m.counter('c_total', 'same one').inc({ stage: 'detect' });
    m.gauge('g', 'a gauge').set({ note: 'say "hi"\n' }, 7);
    const h = m.histogram('h_seconds', 'a histogram', [0.1, 1]);
    h.observe({ stage: 'x' }, 0.05);
    h.observe({ stage: 'x' }, 0.5);
    h.observe({ stage: 'x' }, 5);
    expect(m.render().split('\n')).toEqual([
      '# HELP c_total a counter',
      '# TYPE c_total counter',
      'c_total{stage="detect"} 4',
      '# HELP g a gauge',
      '# TYPE g gauge',
      'g{note="say \\"hi\\"\\n"} 7',
      '# HELP h_seconds a histogram',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{stage="x",le="0.1"} 1',
      'h_seconds_bucket{stage="x",le="1"} 2',
      'h_seconds_bucket{stage="x",le="+Inf"} 3',
      'h_seconds_sum{stage="x"} 5.55',
      'h_seconds_count{stage="x"} 3',
      '',
    ]);
    expect(h.get({ stage: 'x' })).toBe(3);
  });
});
