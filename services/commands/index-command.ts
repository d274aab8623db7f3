// `callsentry index`: flows, findings, decisions and audit entries from Kafka into Elasticsearch.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { startIndexer } from '../indexer/main';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { serveMetrics } from '../runtime/serve-metrics';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'index',
  summary: 'Index flows, findings, decisions and audit entries into Elasticsearch (daily indices, explicit mappings, retention).',
  usage: 'callsentry index [options]',
  description:
    'Reads flows.sip.v1, flows.media.v1, findings.v1, decisions.outcomes.v1 (decisions with their outcomes) and audit.log.v1 and writes them to Elasticsearch 8.x with bulk requests. ' +
    'Installs the index templates at start; deletes daily indices past indexer.retention_days at start and hourly. Offsets are committed only ' +
    'after Elasticsearch acknowledged a batch; documents it refuses go to <topic>.dlq with INDEX_REJECTED and its reason. ' +
    'Runs until SIGINT or SIGTERM. Start several to share the partitions.',
  options: [
    CONFIG_OPTION,
    { name: 'elasticsearch', type: 'string', multiple: true, description: 'node URL, e.g. http://127.0.0.1:9200 (overrides indexer.elasticsearch.nodes; repeat for several)' },
  ],
  examples: [
    'CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry index --elasticsearch http://127.0.0.1:9200',
    'callsentry index --config /etc/callsentry/callsentry.yaml',
  ],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const nodes = args.options.elasticsearch as string[] | undefined;
  if (nodes?.length) {
    for (const n of nodes) {
      // never echo a URL that may carry a password
      if (n.includes('@')) throw new CallsentryError('USAGE', "--elasticsearch: a node URL must not carry credentials; name the environment variables in indexer.elasticsearch (password_env, api_key_env)");
      if (!/^https?:\/\/\S+$/.test(n)) throw new CallsentryError('USAGE', `--elasticsearch ${n}: expected a URL such as http://127.0.0.1:9200`);
    }
    cfg.indexer.elasticsearch.nodes = nodes;
  }
  if (cfg.bus.kind !== 'kafka') {
    throw new CallsentryError('BAD_CONFIG', 'callsentry index reads the topics of a Kafka cluster: set bus.kind: kafka in the configuration, or CALLSENTRY_KAFKA_BROKERS');
  }
  const rt = createRuntime(cfg);
  try {
    await ensureTopics(rt);
    const sub = await startIndexer(rt, { env: io.env });
    const metrics = await serveMetrics(rt, 'index');
    rt.log.info({ stage: 'index', nodes: cfg.indexer.elasticsearch.nodes, index_prefix: cfg.indexer.index_prefix }, 'stage running');
    await io.stopSignal;
    await metrics?.close();
    await sub.stop();
  } finally {
    await rt.bus.close();
  }
  return 0;
}
