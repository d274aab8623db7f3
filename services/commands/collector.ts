// `callsentry collector`: the edge in production: flow records from files or stdin, validated
// once, to the flow topics of the configured bus.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { Ingest } from '../collector/ingest';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { CONFIG_OPTION } from './common-options';
import { feedNdjson } from './feed';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'collector',
  summary: 'Read NDJSON flow records from files or stdin, validate them and produce them to the flow topics.',
  usage: 'callsentry collector [options] [FILE...]',
  description: 'With no FILE, reads stdin until it closes. Invalid records go to flows.sip.v1.dlq with a reason code.',
  options: [CONFIG_OPTION],
  examples: ['CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry collector flows.ndjson'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const rt = createRuntime(cfg);
  await ensureTopics(rt);
  const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor, tenant: cfg.collector.tenant });
  const files = args.positionals.length ? args.positionals : ['-'];
  let lines = 0;
  for (const f of files) lines += await feedNdjson(ingest, f, io, cfg.collector.max_line_bytes);
  await rt.bus.close();
  rt.log.info({ lines, accepted: ingest.stats.accepted, rejected: ingest.stats.rejected }, 'collector finished');
  return 0;
}
