// `callsentry replay FILE...`: every record through every detector and the enforcer (dry-run)
// on the embedded bus; prints each finding and decision, then a summary; exits 0.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { Ingest } from '../collector/ingest';
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { createJsonLogger } from '../adapters/log/json-logger';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { startAll } from '../runtime/stages';
import { CONFIG_OPTION } from './common-options';
import { feedNdjson } from './feed';
import { describeCapture, feedCapture, isCapture } from './feed-capture';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'replay',
  summary: 'Replay captures (pcap, pcapng) or flow records (NDJSON, "-" for stdin) through all detectors and the enforcer in dry-run; print findings and decisions.',
  usage: 'callsentry replay [options] FILE...',
  description:
    'Runs on the embedded bus whatever the configuration says about the bus, in event time: a replay of yesterday detects what live traffic would have. ' +
    'A file is read as a capture when it starts with a pcap or pcapng magic number (Ethernet, Linux cooked, raw IP; IPv4/IPv6; UDP, TCP with reassembly, SCTP, WebSocket), otherwise as NDJSON. ' +
    'Output: one line per finding and decision (with --json, one JSON object per line; format in README). A summary goes to stderr. ' +
    'Bad lines are counted and dead-lettered; the replay goes on.',
  options: [
    CONFIG_OPTION,
    { name: 'json', type: 'boolean', description: 'one JSON object per line on stdout' },
    { name: 'quiet', type: 'boolean', description: 'no summary on stderr' },
    { name: 'log-level', type: 'string', description: 'log level on stderr: debug, info, warn, error', default: 'warn' },
  ],
  examples: ['callsentry replay capture.pcap', 'callsentry replay docs/examples/invite-flood.ndjson', 'callsentry replay --json flows.ndjson | jq .', 'zcat flows.ndjson.gz | callsentry replay -'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.positionals.length === 0) throw new CallsentryError('USAGE', 'replay needs at least one FILE (or - for stdin); see callsentry replay --help');
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  cfg.bus.kind = 'memory';
  const level = String(args.options['log-level']) as 'debug' | 'info' | 'warn' | 'error';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new CallsentryError('USAGE', `--log-level must be debug, info, warn or error`);
  const bus = new MemoryBus({ defaultPartitions: cfg.bus.partitions });
  const rt = createRuntime(cfg, { bus, log: createJsonLogger({ level, write: io.err }) });
  await ensureTopics(rt);

  let findings = 0;
  let decisions = 0;
  const subs = await startAll(rt, { json: Boolean(args.options.json), write: io.out }, { onFinding: () => findings++, onDecision: () => decisions++ });
  const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor, tenant: cfg.collector.tenant });

  const started = process.hrtime.bigint();
  let lines = 0;
  let damaged = 0;
  const captures: string[] = [];
  for (const file of args.positionals) {
    if (!isCapture(file)) {
      lines += await feedNdjson(ingest, file, io, cfg.collector.max_line_bytes);
      continue;
    }
    const result = await feedCapture(ingest, file, io, cfg.collector.sensor);
    captures.push(describeCapture(file, result));
    if (result.error) {
      damaged++;
      io.err(`callsentry replay: ${result.error.message} [${result.error.code}]; the ${result.records} records read before it are kept`);
    }
  }
  await bus.drained();
  for (const s of subs) await s.stop();
  await bus.close();

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!args.options.quiet) {
    for (const line of captures) io.err(line);
    const rejected = Object.entries(ingest.stats.rejected).map(([code, n]) => `${code}=${n}`).join(' ') || 'none';
    io.err(
      `replay: ${lines} lines, ${captures.length} captures, ${ingest.stats.accepted} records accepted (${ingest.stats.sip} sip, ${ingest.stats.media} media), ` +
        `rejected: ${rejected}, dead letters: ${bus.read(rt.topics.dlq('flows.sip.v1')).length}; ${findings} findings, ${decisions} decisions (${cfg.decisions.mode}); ` +
        `${seconds.toFixed(2)} s, ${Math.round(ingest.stats.accepted / Math.max(seconds, 1e-9))} records/s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }
  // a capture that ended in damage was only partly replayed: say so in the exit code
  return damaged > 0 ? 1 : 0;
}
