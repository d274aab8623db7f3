// The edge firewall: decisions become elements of our own nftables sets, with the timeout held by
// the kernel so that a crashed callsentry never leaves a permanent block.
import type { Clock } from '../../core/clock';
import type { Decision } from '../../core/records';
import type { Actuator, ActuatorResult, LiveEntry, Logger } from '../../core/ports';
import { flushConntrack } from './conntrack-flush';
import { DEFAULT_LIMITS, toElement, type ElementLimits, type NftElement } from './nft-element';
import { parseSets } from './nft-json';
import { decisionSets, deleteScript, elementSet, initScript, resolveRuleset, upsertScript, type Ruleset, type RulesetOptions, type SetKind } from './nft-ruleset';
import { hostCommands, type HostCommands, type RunnerOptions } from './nft-runner';

export interface NftablesActuatorOptions {
  log: Logger;
  clock: Clock;
  /** actuator name in metrics and logs; default `nftables` */
  name?: string;
  ruleset?: RulesetOptions;
  /** how nft and conntrack are run (network namespace, paths, timeout) */
  runner?: RunnerOptions;
  /** replaces the child-process runner (unit tests) */
  commands?: HostCommands;
  limits?: ElementLimits;
  /** delete conntrack entries of a newly blocked source; default true */
  flushConntrack?: boolean;
}

export interface NftLiveEntry extends LiveEntry {
  kind: SetKind;
  set: string;
}

export interface ReconcileReport {
  /** one result per desired decision that was missing or live for less than its remaining time, and was added again */
  restored: ActuatorResult[];
  /** live elements no desired decision explains (another instance, an operator, a lost unblock) */
  extras: NftLiveEntry[];
}

interface Op {
  kind: SetKind;
  element: NftElement;
  ttlSeconds?: number;
}

type Plan = { decision: Decision; ops: Op[] } | { decision: Decision; reason: string };

const ACTION_OF: Record<SetKind, Decision['action']> = { block: 'block', limit: 'rate-limit', aggregate: 'aggregate-limit' };
const KINDS_OF: Partial<Record<Decision['action'], SetKind[]>> = { block: ['block'], 'rate-limit': ['limit'], 'aggregate-limit': ['aggregate'], unblock: ['block', 'limit', 'aggregate'] };

// nft reports whole seconds, so a live timeout within this much of the desired one counts as equal
const RENEW_SLACK_SECONDS = 2;

export class NftablesActuator implements Actuator {
  readonly name: string;
  readonly scopes = ['firewall'] as const;
  private readonly rules: Ruleset;
  private readonly cmd: HostCommands;
  private readonly limits: ElementLimits;
  private readonly log: Logger;

  constructor(private readonly opts: NftablesActuatorOptions) {
    this.name = opts.name ?? 'nftables';
    this.rules = resolveRuleset(opts.ruleset);
    this.cmd = opts.commands ?? hostCommands(opts.runner);
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.log = opts.log.child({ actuator: this.name, table: this.rules.table });
  }

  async init(): Promise<void> {
    await this.cmd.nft(['-f', '-'], initScript(this.rules));
    this.log.info({}, 'nftables table ready');
  }

  async apply(decisions: Decision[]): Promise<ActuatorResult[]> {
    const plans = decisions.map((d) => this.plan(d, d.action === 'unblock' ? 'remove' : 'apply'));
    const results = await this.execute(plans);
    if (this.opts.flushConntrack ?? true) await this.flushBlocked(plans, results);
    return results;
  }

  async remove(decisions: Decision[]): Promise<ActuatorResult[]> {
    return this.execute(decisions.map((d) => this.plan(d, 'remove')));
  }

  async list(): Promise<NftLiveEntry[]> {
    const now = this.opts.clock.now();
    const entries: NftLiveEntry[] = [];
    // one listing of our table for every set: operators and the console list often
    const sets = parseSets(await this.cmd.nft(['-j', 'list', 'table', 'inet', this.rules.table]));
    for (const s of decisionSets()) {
      for (const e of sets.get(s.name) ?? []) {
        const entry: NftLiveEntry = { kind: s.kind, set: s.name, action: ACTION_OF[s.kind], target: { type: s.shape === 'net' ? 'cidr' : 'ip', value: e.text } };
        if (e.expiresInSeconds !== undefined) entry.expiresAt = now + e.expiresInSeconds * 1000;
        entries.push(entry);
      }
    }
    return entries;
  }

  /**
   * Makes the live sets hold at least the desired decisions (block and rate-limit), each with the time
   * it has left since its timestamp, and reports what is live without a decision. Extras are not
   * deleted: the caller decides, and audits, any unblock.
   */
  async reconcile(desired: Decision[]): Promise<ReconcileReport> {
    const live = new Map((await this.list()).map((e) => [`${e.set} ${e.target.value}`, e]));
    const now = this.opts.clock.now();
    const todo: Plan[] = [];
    const explained = new Set<string>();
    for (const d of desired) {
      if (d.action === 'unblock' || !KINDS_OF[d.action]) continue;
      const left = Math.floor((Date.parse(d['@timestamp']) + d.ttl_seconds * 1000 - now) / 1000);
      if (!(left > 0)) continue;
      const plan = this.plan({ ...d, ttl_seconds: left }, 'apply');
      if (!('ops' in plan)) {
        todo.push(plan);
        continue;
      }
      const stale = plan.ops.filter((op) => {
        const key = `${this.setOf(op)} ${op.element.text}`;
        explained.add(key);
        const have = live.get(key);
        const haveLeft = have?.expiresAt === undefined ? Infinity : (have.expiresAt - now) / 1000;
        return !have || haveLeft + RENEW_SLACK_SECONDS < left;
      });
      if (stale.length > 0) todo.push({ decision: plan.decision, ops: stale });
    }
    const restored = await this.execute(todo);
    const extras = [...live.entries()].filter(([k]) => !explained.has(k)).map(([, e]) => e);
    this.log.info({ restored: restored.length, extras: extras.length }, 'nftables reconciled');
    return { restored, extras };
  }

  /** Elements stay: their timeouts run in the kernel whether or not we are alive. */
  async shutdown(): Promise<void> {}

  private plan(d: Decision, mode: 'apply' | 'remove'): Plan {
    if (d.scope !== 'firewall') return { decision: d, reason: `scope ${d.scope} is not the firewall` };
    const parsed = toElement(d.target, this.limits);
    if (!parsed.ok) return { decision: d, reason: parsed.reason };
    const element = parsed.element;
    const kinds = KINDS_OF[d.action];
    if (!kinds) return { decision: d, reason: `action ${d.action} is not a firewall action` };
    if (mode === 'remove') return { decision: d, ops: kinds.map((kind) => ({ kind, element })) };
    if (!Number.isFinite(d.ttl_seconds) || d.ttl_seconds <= 0) {
      return { decision: d, reason: `ttl_seconds must be > 0 (got ${d.ttl_seconds}): the kernel holds the expiry, nothing is permanent` };
    }
    return { decision: d, ops: kinds.map((kind) => ({ kind, element, ttlSeconds: Math.ceil(d.ttl_seconds) })) };
  }

  /** One transaction for the batch; if the kernel refuses it, each decision alone, so one bad element fails only itself. */
  private async execute(plans: Plan[]): Promise<ActuatorResult[]> {
    const runnable = plans.filter((p): p is Extract<Plan, { ops: Op[] }> => 'ops' in p);
    const failed = new Map<string, string>();
    if (runnable.length > 0) {
      try {
        await this.cmd.nft(['-f', '-'], this.script(runnable.flatMap((p) => p.ops)));
      } catch (err) {
        if (runnable.length === 1) failed.set(runnable[0].decision.id, (err as Error).message);
        else {
          this.log.warn({ err, decisions: runnable.length }, 'nftables batch refused; applying one by one');
          for (const p of runnable) {
            try {
              await this.cmd.nft(['-f', '-'], this.script(p.ops));
            } catch (e) {
              failed.set(p.decision.id, (e as Error).message);
            }
          }
        }
      }
    }
    return plans.map((p) => {
      if (!('ops' in p)) return { decisionId: p.decision.id, ok: false, detail: `rejected: ${p.reason}` };
      const why = failed.get(p.decision.id);
      if (why !== undefined) return { decisionId: p.decision.id, ok: false, detail: why };
      return { decisionId: p.decision.id, ok: true, detail: p.ops.map((op) => `${op.ttlSeconds === undefined ? 'removed from' : 'in'} ${this.setOf(op)}`).join(', ') };
    });
  }

  /** In decision order, so a block followed by an unblock of the same address ends unblocked. */
  private script(ops: Op[]): string {
    return ops
      .map((op) => (op.ttlSeconds === undefined ? deleteScript(this.rules, [op]) : upsertScript(this.rules, [{ ...op, ttlSeconds: op.ttlSeconds }])))
      .join('');
  }

  private async flushBlocked(plans: Plan[], results: ActuatorResult[]): Promise<void> {
    for (let i = 0; i < plans.length; i++) {
      const p = plans[i];
      if (!('ops' in p) || !results[i].ok || p.decision.action !== 'block') continue;
      const why = await flushConntrack(this.cmd, p.ops[0].element);
      if (why !== undefined) {
        // the block stands; only flows that were already tracked may linger until they idle out
        results[i].detail += `; conntrack flush failed: ${why}`;
        this.log.warn({ decision: p.decision.id, reason: why }, 'conntrack flush failed');
      }
    }
  }

  private setOf(op: Op): string {
    return elementSet(op.kind, op.element);
  }
}
