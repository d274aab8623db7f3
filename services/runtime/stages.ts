// Starting stages on a runtime. The same functions serve the embedded default (all in one
// process) and production (one command per stage).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Subscription } from '../core/ports';
import type { Decision, Finding, Incident } from '../core/records';
import { runStage } from '../core/stage';
import { DETECT_INPUTS, detectStage } from '../detectors/detect-stage';
import { activeDetectors } from '../detectors/registry';
import { decideStage } from '../enforcer/decide-stage';
import { allowlistStage } from '../enforcer/allowlist-stage';
import { enforceStage } from '../enforcer/enforce-stage';
import { Enforcer } from '../enforcer/enforcer';
import { platformFromConfig } from '../enforcer/platform-addresses';
import { platformStage } from '../enforcer/platform-stage';
import { printStage } from '../printer/print-stage';
import { createActuators, createAlertSinks } from '../adapters/factory';
import { alertStage } from '../alerting/alert-stage';
import { auditStore, startAuditService } from '../audit/service';
import { incidentStage } from '../incidents/incident-stage';
import type { Runtime } from './runtime';

export interface StageHooks {
  onFinding?: (f: Finding) => void;
  onDecision?: (d: Decision) => void;
  /** every incident version the incidents stage writes */
  onIncident?: (i: Incident) => void;
  /** the enforcer, once it runs: the operator API lists and acts through it */
  onEnforcer?: (e: Enforcer) => void;
  groupSuffix?: string;
}

const group = (rt: Runtime, name: string, hooks: StageHooks) => rt.topics.group(name) + (hooks.groupSuffix ?? '');

/** The detect stages: source-keyed detectors on flows.sip.v1, account-keyed on the by-account topic, relay detectors on flows.media.v1, destination-keyed on the by-destination topic. */
export async function startDetect(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription[]> {
  const detectors = activeDetectors(rt.cfg.detectors);
  const subs: Subscription[] = [];
  for (const input of DETECT_INPUTS) {
    const stage = detectStage({
      topics: rt.topics,
      input,
      groupId: group(rt, `detect-${input}`, hooks),
      detectors,
      metrics: rt.metrics,
      snapshots: { everyRecords: rt.cfg.detect.snapshot_every_records, everySeconds: rt.cfg.detect.snapshot_every_seconds, maxBytes: rt.cfg.detect.max_snapshot_bytes },
      onFinding: hooks.onFinding,
    });
    subs.push(await runStage(rt.bus, stage, rt));
  }
  return subs;
}

export async function startEnforce(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription[]> {
  const enforcerId = `${hostname()}:${process.pid}`;
  const platform = platformFromConfig(rt.cfg);
  const enforcer = new Enforcer({
    actuators: createActuators(rt.cfg, rt.log, rt.clock),
    guardrails: { allowlist: rt.cfg.enforcer.allowlist, ...rt.cfg.enforcer.guardrails },
    platform,
    clock: rt.clock,
    log: rt.log,
    metrics: rt.metrics,
  });
  await enforcer.start();
  await enforcer.reconcile();
  // every instance reads every operator allowlist entry: a group of its own
  const allowlist = await runStage(rt.bus, allowlistStage({ topics: rt.topics, enforcer, enforcerId, groupId: `${group(rt, 'allowlist', hooks)}-${randomUUID()}` }), rt);
  // every instance learns every server of the platform from the flows: a group of its own
  const servers = rt.cfg.enforcer.platform.learn_servers ? [await runStage(rt.bus, platformStage({ topics: rt.topics, platform, groupId: `${group(rt, 'platform', hooks)}-${randomUUID()}` }), rt)] : [];
  const decide = await runStage(rt.bus, decideStage({ topics: rt.topics, policy: rt.cfg.decisions, platform, groupId: group(rt, 'decide', hooks), onDecision: hooks.onDecision }), rt);
  const enforce = await runStage(rt.bus, enforceStage({ topics: rt.topics, enforcer, enforcerId, log: rt.log, groupId: group(rt, 'enforce', hooks), now: () => rt.clock.now() }), rt);
  const reconcile = setInterval(() => void enforcer.reconcile(), rt.cfg.enforcer.reconcile_interval_seconds * 1000);
  reconcile.unref();
  hooks.onEnforcer?.(enforcer);
  return [
    allowlist,
    ...servers,
    decide,
    {
      stop: async () => {
        clearInterval(reconcile);
        await enforce.stop();
        await enforcer.shutdown();
      },
    },
  ];
}

export async function startPrint(rt: Runtime, opts: { json: boolean; write: (line: string) => void }, hooks: StageHooks = {}): Promise<Subscription> {
  return runStage(rt.bus, printStage({ topics: rt.topics, json: opts.json, write: opts.write, groupId: group(rt, 'print', hooks) }), rt);
}

/** Findings to the configured alert sinks; nothing to run when none is configured. */
export async function startAlert(rt: Runtime, hooks: StageHooks = {}, env: NodeJS.ProcessEnv = process.env): Promise<Subscription[]> {
  const sinks = createAlertSinks(rt.cfg, env);
  if (sinks.length === 0) return [];
  const a = rt.cfg.alerting;
  const book = { runbookBaseUrl: a.runbook_base_url, resolveAfterMs: a.resolve_after_seconds * 1000, resendMs: a.resend_seconds * 1000, maxKeysPerGroup: a.max_keys_per_group };
  return [await runStage(rt.bus, alertStage({ topics: rt.topics, sinks, routes: a.routes, book, clock: rt.clock, metrics: rt.metrics, groupId: group(rt, 'alert', hooks) }), rt)];
}

/** Findings, decisions and their outcomes, and operator actions into incidents (incidents.v1): one instance. */
export async function startIncidents(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription> {
  return runStage(rt.bus, incidentStage({ topics: rt.topics, settings: rt.cfg.incidents, metrics: rt.metrics, groupId: group(rt, 'incidents', hooks), onIncident: hooks.onIncident }), rt);
}

/**
 * The audit chain of the embedded default: in memory unless audit.log_file is set (pipelines run
 * side by side in tests and must not share a file); scheduled exports belong to `callsentry audit`.
 */
export async function startAudit(rt: Runtime, hooks: StageHooks = {}): Promise<Subscription[]> {
  return (await startAuditService(rt, { store: auditStore(rt, false), groupId: group(rt, 'audit', hooks) })).subscriptions;
}

/** Every stage in one process: the embedded default. */
export async function startAll(rt: Runtime, print: { json: boolean; write: (line: string) => void } | undefined, hooks: StageHooks = {}): Promise<Subscription[]> {
  // on Kafka the chain has one writer, `callsentry audit`: a second one here would fork it
  const audit = rt.cfg.bus.kind === 'memory' ? await startAudit(rt, hooks) : [];
  const subs = [...(await startDetect(rt, hooks)), ...(await startEnforce(rt, hooks)), await startIncidents(rt, hooks), ...(await startAlert(rt, hooks)), ...audit];
  if (print) subs.push(await startPrint(rt, print, hooks));
  return subs;
}
