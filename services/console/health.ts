// Pipeline health for the console: rates per stage, consumer lag, dead letters, stage and actuator
// failures, guardrail refusals, live blocks and the circuit breaker. Sampled every few seconds from
// metrics texts (the process's own registry, or the /metrics endpoints of the stages), so rates
// come from two samples and every viewer sees the same figures.
import { parsePromText, sumBy, type Sample } from './prom-text';

export interface MetricsSource {
  name: string;
  read(): Promise<string>;
}

export interface Health {
  at: string;
  sources: Array<{ name: string; ok: boolean; error?: string }>;
  /** records per second read, by stage */
  rates: Record<string, number>;
  lag: Record<string, number>;
  dlq: Record<string, number>;
  stage_failures: Record<string, number>;
  actuator_failures: Record<string, number>;
  refused: Record<string, number>;
  live_blocks: number | null;
  circuit_open: boolean | null;
}

export class HealthMonitor {
  private last?: { t: number; totals: Record<string, number> };
  private current: Health;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sources: MetricsSource[],
    private readonly now: () => number,
  ) {
    this.current = empty(now());
  }

  start(everyMs = 5000): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get(): Health {
    return this.current;
  }

  async sample(): Promise<Health> {
    const t = this.now();
    const samples: Sample[] = [];
    const status: Health['sources'] = [];
    for (const s of this.sources) {
      try {
        samples.push(...parsePromText(await s.read()));
        status.push({ name: s.name, ok: true });
      } catch (err) {
        status.push({ name: s.name, ok: false, error: (err as Error).message });
      }
    }
    const totals = sumBy(samples, 'callsentry_stage_records_in_total', 'stage');
    const rates: Record<string, number> = {};
    if (this.last && t > this.last.t) for (const [k, v] of Object.entries(totals)) rates[k] = Math.max(0, (v - (this.last.totals[k] ?? 0)) / ((t - this.last.t) / 1000));
    this.last = { t, totals };
    const gauge = (name: string) => (samples.some((s) => s.name === name) ? sumBy(samples, name).total : null);
    const breaker = gauge('callsentry_enforcer_circuit_open');
    this.current = {
      at: new Date(t).toISOString(),
      sources: status,
      rates,
      lag: sumBy(samples, 'callsentry_consumer_lag', 'stage'),
      dlq: sumBy(samples, 'callsentry_dlq_total', 'topic'),
      stage_failures: sumBy(samples, 'callsentry_stage_failures_total', 'stage'),
      actuator_failures: sumBy(samples, 'callsentry_actuator_failures_total', 'actuator'),
      refused: sumBy(samples, 'callsentry_decisions_refused_total', 'guardrail'),
      live_blocks: gauge('callsentry_enforcer_live_blocks'),
      circuit_open: breaker === null ? null : breaker > 0,
    };
    return this.current;
  }
}

function empty(t: number): Health {
  return { at: new Date(t).toISOString(), sources: [], rates: {}, lag: {}, dlq: {}, stage_failures: {}, actuator_failures: {}, refused: {}, live_blocks: null, circuit_open: null };
}
