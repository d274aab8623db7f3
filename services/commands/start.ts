// `callsentry start`: every stage in one process on the embedded bus (or the configured Kafka),
// fed by files, stdin or the built-in demo scenario. Effects are dry-run unless configured.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { Ingest } from '../collector/ingest';
import { demoScenario, generate } from '../collector/synthetic';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { startAll } from '../runtime/stages';
import { serveOperatorApi } from '../console/serve';
import { serveEmbeddedConsole } from '../console/serve-console';
import { serveMetrics } from '../runtime/serve-metrics';
import type { Enforcer } from '../enforcer/enforcer';
import { CONFIG_OPTION } from './common-options';
import { feedNdjson } from './feed';
import { inputKinds } from './input-kind';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'start',
  summary: 'Run every stage in one process (the embedded default) and print findings and decisions as they happen.',
  usage: 'callsentry start [options]',
  description:
    'With no configuration: in-process bus, all detectors with default thresholds, enforcement in dry-run. ' +
    'Input: --demo plays a live synthetic office under attack (an INVITE flood, then a REGISTER flood, every minute); ' +
    '--input reads NDJSON flow records from files or - (stdin). Stops on Ctrl-C, or after --for seconds.',
  options: [
    CONFIG_OPTION,
    { name: 'demo', type: 'boolean', description: 'feed the live demo scenario' },
    { name: 'input', type: 'string', multiple: true, description: 'NDJSON file of flow records, or - for stdin (repeatable)' },
    // a timer holds at most 2^31-1 ms (24.8 days); a longer one would fire at once
    { name: 'for', type: 'number', description: 'stop after this many seconds', range: { min: 0, exclusiveMin: true, max: 2_147_483 } },
    { name: 'speed', type: 'number', description: 'play the demo this many times faster than real time', default: 1, range: { min: 0, exclusiveMin: true, max: 1000 } },
    { name: 'json', type: 'boolean', description: 'print findings and decisions as JSON lines' },
    { name: 'log-level', type: 'string', description: 'log level on stderr (debug, info, warn, error); default: log.level of the configuration' },
  ],
  examples: ['callsentry start --demo', 'callsentry start --input flows.ndjson', 'tail -F flows.ndjson | callsentry start --input -'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const inputs = (args.options.input as string[] | undefined) ?? [];
  if (!args.options.demo && inputs.length === 0) {
    throw new CallsentryError('USAGE', 'start needs an input: --demo for the demo scenario or --input FILE|- (see callsentry start --help)');
  }
  // every argument is checked before anything starts (and before a console password is printed)
  for (const [file, kind] of inputKinds(inputs)) {
    if (kind === 'capture') throw new CallsentryError('USAGE', `--input ${file} is a capture; start reads NDJSON flow records: replay captures with callsentry replay ${file}`);
  }
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  if (args.options['log-level'] !== undefined) {
    const level = String(args.options['log-level']);
    if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new CallsentryError('USAGE', `--log-level must be one of debug, info, warn, error; got '${level}'`);
    cfg.log.level = level as typeof cfg.log.level;
  }
  const speed = Number(args.options.speed);
  const rt = createRuntime(cfg, {});
  await ensureTopics(rt);
  let enforcer: Enforcer | undefined;
  const subs = await startAll(rt, { json: Boolean(args.options.json), write: io.out }, { onEnforcer: (e) => (enforcer = e) });
  const api = await serveOperatorApi(rt, enforcer!, io.env);
  if (api) subs.push({ stop: () => api.close() });
  // the login line (with a one-time password when no users are configured) goes to stderr, not the log
  const noc = await serveEmbeddedConsole(rt, { env: io.env, operatorApi: api?.url, announce: io.err });
  if (noc) subs.unshift({ stop: () => noc.close() });
  const metrics = await serveMetrics(rt, 'start');
  if (metrics) subs.push({ stop: () => metrics.close() });
  const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor, tenant: cfg.collector.tenant, dialPlans: cfg.dial_plans });
  rt.log.info({ bus: cfg.bus.kind, mode: cfg.decisions.mode, demo: Boolean(args.options.demo), inputs }, 'callsentry started');

  let stopping = false;
  const stop = Promise.race([io.stopSignal, ...(args.options.for !== undefined ? [sleep(Number(args.options.for) * 1000)] : [])]).then(() => {
    stopping = true;
  });
  // a pipe trickles (tail -F ... | callsentry start --input -): send what has queued at least every
  // half second, as `callsentry collector` does, instead of waiting for a full batch
  const flusher = setInterval(() => void ingest.flush().catch((err) => rt.log.error({ err }, 'flush failed')), 500);
  flusher.unref();
  const sources: Array<Promise<unknown>> = inputs.map((f) => feedNdjson(ingest, f, io, cfg.collector.max_line_bytes));
  if (args.options.demo) sources.push(playDemo(ingest, () => stopping, rt.clock.now.bind(rt.clock), speed));

  // the demo runs until stopped; file inputs end the run when they end and the pipeline is drained
  // (a source that fails, such as a file that cannot be read, ends the run with its error)
  const sourcesDone = Promise.all(sources);
  await (args.options.demo ? Promise.race([stop, sourcesDone.then(() => stop)]) : Promise.race([stop, sourcesDone]));
  stopping = true;
  clearInterval(flusher);
  if (rt.bus instanceof MemoryBus) await rt.bus.drained();
  await ingest.flush();
  for (const s of subs) await s.stop();
  await rt.bus.close();
  rt.log.info({ accepted: ingest.stats.accepted, rejected: ingest.stats.rejected }, 'callsentry stopped');
  return 0;
}

/**
 * Streams the demo scenario one second of event time at a time, looping every minute. Event time
 * starts now and runs `speed` times faster than the wall clock.
 */
async function playDemo(ingest: Ingest, stopped: () => boolean, now: () => number, speed: number): Promise<void> {
  const t0 = Math.floor(now() / 1000) * 1000;
  const wallStart = now();
  for (let sec = 0; !stopped(); sec++) {
    const cycle = Math.floor(sec / 60);
    const scenario = demoScenario(t0 + cycle * 60_000);
    for (const r of generate(scenario, sec % 60, (sec % 60) + 1)) await ingest.record(r);
    await ingest.flush();
    const wait = wallStart + ((sec + 1) * 1000) / speed - now();
    if (wait > 0) await sleep(wait);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
