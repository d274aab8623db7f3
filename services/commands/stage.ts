// `callsentry detect|enforce|print`: one stage per process, scaled by consumer groups.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import type { Subscription } from '../core/ports';
import { createRuntime, ensureTopics, type Runtime } from '../runtime/runtime';
import { startAlert, startDetect, startEnforce, startIncidents, startPrint } from '../runtime/stages';
import { CallsentryError } from '../core/errors';
import { serveOperatorApi } from '../console/serve';
import { serveMetrics } from '../runtime/serve-metrics';
import type { Enforcer } from '../enforcer/enforcer';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';
import { requireSharedBus } from './shared-bus';

const EMBEDDED_INSTEAD =
  'on one machine, `callsentry start --input FILE|-` (or `--demo`) runs every stage in one process and prints findings and decisions as they happen, and `callsentry replay FILE...` does the same for recorded traffic';

interface StageCommand {
  summary: string;
  json?: boolean;
  start(rt: Runtime, io: CommandIo, args: ParsedArgs): Promise<Subscription[]>;
}

const STAGES: Record<'detect' | 'enforce' | 'correlate' | 'alert' | 'print', StageCommand> = {
  detect: {
    summary: 'Run the detectors: flows.sip.v1 (by source), flows.sip.by-account.v1, flows.media.v1 and flows.sip.by-destination.v1 in, findings.v1 out. Start several to scale.',
    start: (rt) => startDetect(rt),
  },
  enforce: {
    summary: 'Turn findings into decisions by policy, pass them through the guardrails and apply them with the configured actuators; serves the operator API (api.listen).',
    start: async (rt, io) => {
      let enforcer: Enforcer | undefined;
      const subs = await startEnforce(rt, { onEnforcer: (e) => (enforcer = e) });
      const api = await serveOperatorApi(rt, enforcer!, io.env);
      return api ? [...subs, { stop: () => api.close() }] : subs;
    },
  },
  correlate: {
    summary: 'Correlate findings, decisions and their outcomes into incidents (findings.v1, decisions.v1, audit.v1, incidents.actions.v1 in; incidents.v1 out). Run one instance (docs/incidents.md).',
    start: async (rt) => [await startIncidents(rt)],
  },
  alert: {
    summary: 'Send findings as alerts to Alertmanager and signed webhooks (alerting.*), grouped and deduplicated, resolving when the attack ends.',
    start: async (rt, io) => {
      const subs = await startAlert(rt, {}, io.env);
      if (subs.length === 0) throw new CallsentryError('BAD_CONFIG', 'no alert sink configured: set alerting.alertmanager_url or alerting.webhooks');
      return subs;
    },
  },
  print: {
    summary: 'Print findings and decisions as they arrive, each decision with its outcome (one line each; --json for JSON lines).',
    json: true,
    // every printer sees everything: its own consumer group
    start: async (rt, io, args) => [await startPrint(rt, { json: Boolean(args.options.json), write: io.out }, { groupSuffix: `-${process.pid}` })],
  },
};

export type StageName = keyof typeof STAGES;

export function stageSpec(name: StageName): CommandSpec {
  return {
    name,
    summary: STAGES[name].summary,
    usage: `callsentry ${name} [options]`,
    description: 'Runs until SIGINT or SIGTERM; offsets are committed only after a batch has been processed.',
    options: [CONFIG_OPTION, ...(STAGES[name].json ? [{ name: 'json', type: 'boolean' as const, description: 'one JSON object per line' }] : [])],
    examples: [`CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry ${name}`],
  };
}

export function stageRunner(name: StageName) {
  return async (args: ParsedArgs, io: CommandIo): Promise<number> => {
    const cfg = loadConfig(args.options.config as string | undefined, io.env);
    requireSharedBus(cfg, name, EMBEDDED_INSTEAD);
    const rt = createRuntime(cfg);
    await ensureTopics(rt);
    const subs = await STAGES[name].start(rt, io, args);
    const metrics = await serveMetrics(rt, name);
    rt.log.info({ stage: name, bus: cfg.bus.kind }, 'stage running');
    await io.stopSignal;
    await metrics?.close();
    for (const s of subs) await s.stop();
    await rt.bus.close();
    return 0;
  };
}
