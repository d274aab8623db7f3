// A verdict rule: a pure function of the call, the state and the settings. No objection: undefined.
import type { VerdictSettings } from '../../core/verdict-config';
import type { StateView } from '../state';
import type { CallContext, Objection } from '../verdict';

export interface VerdictRule {
  /** `verdict/<name>`: the `rule` of an answer, and of a deny-call decision */
  id: string;
  judge(call: CallContext, state: StateView, s: VerdictSettings): Objection | undefined;
}

/** Seconds until a restriction ends, for the caller's cache (at least 1). */
export function secondsUntil(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
