// The dry-run twin of every actuator: logs what it would do and keeps the would-be state, so that
// `list` answers like a real enforcement point (expiry included).
import type { Clock } from '../../core/clock';
import type { Decision } from '../../core/records';
import type { Actuator, ActuatorResult, LiveEntry, Logger } from '../../core/ports';

export class DryRunActuator implements Actuator {
  readonly name: string;
  private readonly live = new Map<string, LiveEntry>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    name = 'dry-run',
  ) {
    this.name = name;
  }

  async init(): Promise<void> {}

  async apply(decisions: Decision[]): Promise<ActuatorResult[]> {
    return decisions.map((d) => {
      this.log.info({ actuator: this.name, action: d.action, target: d.target, ttl_seconds: d.ttl_seconds, decision: d.id }, 'dry-run: would apply');
      const key = `${d.target.type}:${d.target.value}`;
      if (d.action === 'unblock') this.live.delete(key);
      else if (d.ttl_seconds > 0 && d.action !== 'alert-only') this.live.set(key, { target: d.target, action: d.action, expiresAt: this.clock.now() + d.ttl_seconds * 1000 });
      return { decisionId: d.id, ok: true, detail: 'dry-run' };
    });
  }

  async remove(decisions: Decision[]): Promise<ActuatorResult[]> {
    return decisions.map((d) => {
      this.live.delete(`${d.target.type}:${d.target.value}`);
      this.log.info({ actuator: this.name, target: d.target, decision: d.id }, 'dry-run: would remove');
      return { decisionId: d.id, ok: true, detail: 'dry-run' };
    });
  }

  async list(): Promise<LiveEntry[]> {
    const now = this.clock.now();
    for (const [k, e] of this.live) if (e.expiresAt !== undefined && e.expiresAt <= now) this.live.delete(k);
    return [...this.live.values()];
  }

  async shutdown(): Promise<void> {}
}
