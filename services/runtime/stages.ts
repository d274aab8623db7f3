// Starting stages on a runtime. The same functions serve the embedded default (all in one
// process) and production (one command per stage).
import type { Subscription } from '../core/ports';
import type { Decision, Finding } from '../core/records';
import { runStage } from '../core/stage';
import { detectStage } from '../detectors/detect-stage';
import { activeDetectors } from '../detectors/registry';
import { decideStage } from '../enforcer/decide-stage';
import { enforceStage } from '../enforcer/enforce-stage';
import { Guardrails } from '../enforcer/guardrails';
import { printStage } from '../printer/print-stage';
import { createActuators } from '../adapters/factory';
import type { Runtime } from './runtime';

export interface StageHooks {
  onFinding?: (f: Finding) => void;
  onDecision?: (d: Decision) => void;
  groupSuffix?: string;
}

const group = (rt: Runtime, name: string, hooks: StageHooks) => rt.topics.group(name) + (hooks.groupSuffix ?? '');

/** The detect stages: source-keyed detectors on flows.sip.v1, account-keyed on the by-account topic, relay detectors on flows.media.v1. */
export async function startDetect(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription[]> {
  const detectors = activeDetectors(rt.cfg.detectors);
  const subs: Subscription[] = [];
  for (const input of ['source', 'account', 'media'] as const) {
    const stage = detectStage({ topics: rt.topics, input, groupId: group(rt, `detect-${input}`, hooks), detectors, metrics: rt.metrics, onFinding: hooks.onFinding });
    subs.push(await runStage(rt.bus, stage, rt));
  }
  return subs;
}

export async function startEnforce(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription[]> {
  const actuators = createActuators(rt.cfg, rt.log, rt.clock);
  for (const a of actuators) await a.init();
  const decide = await runStage(rt.bus, decideStage({ topics: rt.topics, policy: rt.cfg.decisions, groupId: group(rt, 'decide', hooks), onDecision: hooks.onDecision }), rt);
  const enforce = await runStage(
    rt.bus,
    enforceStage({ topics: rt.topics, guardrails: new Guardrails({ allowlist: rt.cfg.enforcer.allowlist }), actuators, metrics: rt.metrics, log: rt.log, groupId: group(rt, 'enforce', hooks) }),
    rt,
  );
  return [
    decide,
    {
      stop: async () => {
        await enforce.stop();
        for (const a of actuators) await a.shutdown();
      },
    },
  ];
}

export async function startPrint(rt: Runtime, opts: { json: boolean; write: (line: string) => void }, hooks: StageHooks = {}): Promise<Subscription> {
  return runStage(rt.bus, printStage({ topics: rt.topics, json: opts.json, write: opts.write, groupId: group(rt, 'print', hooks) }), rt);
}

/** Every stage in one process: the embedded default. */
export async function startAll(rt: Runtime, print: { json: boolean; write: (line: string) => void } | undefined, hooks: StageHooks = {}): Promise<Subscription[]> {
  const subs = [...(await startDetect(rt, hooks)), ...(await startEnforce(rt, hooks))];
  if (print) subs.push(await startPrint(rt, print, hooks));
  return subs;
}
