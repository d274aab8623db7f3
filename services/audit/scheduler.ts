// When scheduled exports run. node-cron keeps the wall clock; the manual scheduler fires the same
// cron expressions under a test clock, so a scheduled export can be tested without waiting a day.
import cron from 'node-cron';
import type { ManualClock } from '../core/clock';
import { CallsentryError } from '../core/errors';

export type ScheduledJob = (firedAtMs: number) => Promise<void>;

export interface Scheduler {
  schedule(expression: string, job: ScheduledJob): { stop(): void };
}

/** Cron expressions are evaluated in UTC, like every time callsentry writes. */
export const CRON_TIMEZONE = 'UTC';

export function checkCronExpression(expression: string, key = 'audit.export.schedule'): void {
  const v = cron.validateDetailed(expression);
  if (!v.valid) throw new CallsentryError('BAD_CONFIG', `${key}: not a cron expression: ${JSON.stringify(expression)} (${v.errors.map((e) => e.message).join('; ')})`);
}

export class CronScheduler implements Scheduler {
  schedule(expression: string, job: ScheduledJob): { stop(): void } {
    checkCronExpression(expression);
    // noOverlap: a long export is never run twice at once
    const task = cron.schedule(expression, (ctx) => job(ctx.date.getTime()), { timezone: CRON_TIMEZONE, noOverlap: true, name: 'callsentry-audit-export' });
    return { stop: () => void task.destroy() };
  }
}

/** Fires jobs at the whole minutes their expression matches as a test moves its clock forward. */
export class ManualScheduler implements Scheduler {
  private readonly jobs = new Set<{ matches: (d: Date) => boolean; job: ScheduledJob }>();

  constructor(private readonly clock: ManualClock) {}

  schedule(expression: string, job: ScheduledJob): { stop(): void } {
    checkCronExpression(expression);
    // a task that is never started: only its matcher is used
    const task = cron.createTask(expression, () => undefined, { timezone: CRON_TIMEZONE });
    const entry = { matches: (d: Date) => task.match(d), job };
    this.jobs.add(entry);
    return {
      stop: () => {
        this.jobs.delete(entry);
        void task.destroy();
      },
    };
  }

  /** Moves the clock to `ms`, running (and awaiting) every job due on the way. */
  async advanceTo(ms: number): Promise<void> {
    for (let t = Math.floor(this.clock.now() / 60_000) * 60_000 + 60_000; t <= ms; t += 60_000) {
      this.clock.set(t);
      for (const j of [...this.jobs]) if (j.matches(new Date(t))) await j.job(t);
    }
    this.clock.set(ms);
  }
}
