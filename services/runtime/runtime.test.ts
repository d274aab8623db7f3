import { DEFAULT_CONFIG } from '../core/config';
import { silentLogger } from '../core/ports';
import { createRuntime } from './runtime';

describe('runtime', () => {
  it("gives the process a metrics registry with its own process_* and nodejs_* metrics beside callsentry's", async () => {
    const rt = createRuntime(structuredClone(DEFAULT_CONFIG), { log: silentLogger });
    rt.metrics.counter('callsentry_stage_records_in_total', 'Records read by a stage').inc({ stage: 'detect' }, 2);
    const text = await rt.metrics.render();
    expect(text).toContain('callsentry_stage_records_in_total{stage="detect"} 2');
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    await rt.bus.close();
  });
});
