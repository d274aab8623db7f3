// `callsentry collector`: the edge in production. Sources: NDJSON flow records from files or
// stdin, capture files, and live coturn relay statistics; every record is validated once and
// produced to the flow topics of the configured bus, anything unusable to the dead-letter topic.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { Ingest } from '../collector/ingest';
import { startRelaySource, type RelayReject } from '../collector/relay/relay-source';
import { refuseUnauthenticatedBind, startHepCollector } from '../adapters/hep/hep-listener';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { serveMetrics } from '../runtime/serve-metrics';
import { CONFIG_OPTION } from './common-options';
import { feedNdjson } from './feed';
import { describeCapture, feedCapture } from './feed-capture';
import { inputKinds } from './input-kind';
import { requireSharedBus } from './shared-bus';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'collector',
  summary: 'Validate flow records from files, stdin, captures or live sources and produce them to the flow topics.',
  usage: 'callsentry collector [options] [FILE...]',
  description:
    'FILEs are captures (pcap, pcapng; recognised by content) or NDJSON flow records. With no FILE and no live source, reads NDJSON from stdin ' +
    'until it closes. With a live source (--hep-udp, --hep-tcp, --relay-redis) it runs until SIGINT or SIGTERM. ' +
    'Invalid input goes to <topic>.dlq with a reason code. The HEP auth key is read from the environment variable named by --hep-auth-key-env, never from the command line.',
  options: [
    CONFIG_OPTION,
    { name: 'hep-udp', type: 'string', description: 'listen for HEP v2/v3 over UDP on HOST:PORT (Kamailio siptrace, OpenSIPS, FreeSWITCH, Asterisk, rtpengine)' },
    { name: 'hep-tcp', type: 'string', description: 'listen for HEP v3 over TCP on HOST:PORT' },
    { name: 'hep-auth-key-env', type: 'string', description: 'environment variable holding the HEP auth key that packets must carry (required beyond loopback)' },
    { name: 'hep-allow-unauthenticated', type: 'boolean', description: 'listen for HEP beyond loopback without an auth key (whoever reaches the port chooses the addresses of flows)' },
    { name: 'relay-redis', type: 'string', description: "coturn's statistics Redis, HOST:PORT (coturn redis-statsdb); produces relay media flows" },
    { name: 'relay-realm', type: 'string', description: 'only allocations of this TURN realm (default: every realm)' },
    { name: 'relay-log', type: 'string', description: "coturn's log file (verbose), where coturn names each allocation's peers" },
  ],
  examples: [
    'CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry collector flows.ndjson capture.pcap',
    'callsentry collector --hep-udp 0.0.0.0:9060 --hep-tcp 0.0.0.0:9060 --hep-auth-key-env HEP_KEY',
    'callsentry collector --relay-redis 127.0.0.1:6379 --relay-realm example.net --relay-log /var/log/turnserver.log',
  ],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  requireSharedBus(cfg, 'collector', 'to check records on this machine, run `callsentry replay FILE...` (or `... | callsentry replay -`); to run the whole pipeline, `callsentry start --input FILE|-`');
  // every argument is checked before anything listens or connects
  const relayRedis = args.options['relay-redis'] !== undefined ? hostPort(String(args.options['relay-redis']), '--relay-redis') : undefined;
  const hepUdp = args.options['hep-udp'] !== undefined ? hostPort(String(args.options['hep-udp']), '--hep-udp') : undefined;
  const hepTcp = args.options['hep-tcp'] !== undefined ? hostPort(String(args.options['hep-tcp']), '--hep-tcp') : undefined;
  const keyEnv = args.options['hep-auth-key-env'] as string | undefined;
  const authKey = keyEnv ? io.env[keyEnv] : undefined;
  if (keyEnv && !authKey) throw new CallsentryError('USAGE', `--hep-auth-key-env: environment variable ${keyEnv} is not set`);
  const endpoint = (hp: [string, number] | undefined) => (hp ? { host: hp[0], port: hp[1] } : undefined);
  refuseUnauthenticatedBind({ udp: endpoint(hepUdp), tcp: endpoint(hepTcp) }, authKey !== undefined, Boolean(args.options['hep-allow-unauthenticated']));
  const liveSource = Boolean(relayRedis || hepUdp || hepTcp);
  const files = args.positionals.length || liveSource ? args.positionals : ['-'];
  const kinds = inputKinds(files);

  const rt = createRuntime(cfg);
  await ensureTopics(rt);
  const ingest = new Ingest({ producer: await rt.bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: cfg.collector.sensor, tenant: cfg.collector.tenant, dialPlans: cfg.dial_plans });
  const live: Array<{ stop(): Promise<void> }> = [];

  if (relayRedis) {
    const [host, port] = relayRedis;
    const relay = await startRelaySource({
      redis: { host, port },
      ...(args.options['relay-realm'] ? { realm: String(args.options['relay-realm']) } : {}),
      ...(args.options['relay-log'] ? { coturnLog: String(args.options['relay-log']) } : {}),
      onRecord: (r) => ingest.record(r),
      onReject: (r: RelayReject) => void ingest.deadLetter(r.raw, r.source === 'coturn-stats' && r.reason === 'oversized' ? 'OVERSIZED' : 'BAD_RECORD', `${r.source}/${r.reason}: ${r.detail}`, 'flows.media.v1'),
      log: rt.log.child({ source: 'relay' }),
      clock: rt.clock,
    });
    live.push(relay);
    rt.log.info({ redis: `${host}:${port}`, realm: args.options['relay-realm'] ?? '*' }, 'relay source listening');
  }

  if (hepUdp || hepTcp) {
    const hep = await startHepCollector({
      ...(hepUdp ? { udp: { host: hepUdp[0], port: hepUdp[1] } } : {}),
      ...(hepTcp ? { tcp: { host: hepTcp[0], port: hepTcp[1] } } : {}),
      ...(authKey ? { authKey } : {}),
      allowUnauthenticated: Boolean(args.options['hep-allow-unauthenticated']),
      limits: {
        maxFutureMs: cfg.collector.hep.max_future_ms,
        maxConnectionsPerSource: cfg.collector.hep.max_connections_per_source,
        messageDeadlineMs: cfg.collector.hep.message_deadline_seconds * 1000,
        idleTimeoutMs: cfg.collector.hep.idle_timeout_seconds * 1000,
      },
      observerId: cfg.collector.sensor,
      ...(cfg.collector.tenant ? { organizationId: cfg.collector.tenant } : {}),
      onRecord: (r) => ingest.record(r),
      onReject: (reason, detail, raw) => ingest.deadLetter(raw.toString('base64'), 'BAD_RECORD', `hep/${reason}: ${detail}`),
      log: rt.log.child({ source: 'hep' }),
      metrics: rt.metrics,
      clock: rt.clock,
    });
    live.push(hep);
    rt.log.info({ udp: hep.addresses.udp, tcp: hep.addresses.tcp, auth: Boolean(authKey) }, 'HEP collector listening');
  }
  // live sources trickle: send what has queued at least every half second
  const flusher = live.length ? setInterval(() => void ingest.flush().catch((err) => rt.log.error({ err }, 'flush failed')), 500) : undefined;

  let lines = 0;
  for (const f of files) {
    if (kinds.get(f) === 'capture') rt.log.info({ summary: describeCapture(f, await feedCapture(ingest, f, io, cfg.collector.sensor, cfg.collector.tenant)) }, 'capture read');
    else lines += await feedNdjson(ingest, f, io, cfg.collector.max_line_bytes);
  }
  if (live.length) {
    const metrics = await serveMetrics(rt, 'collector');
    await io.stopSignal;
    await metrics?.close();
    for (const l of live) await l.stop();
    clearInterval(flusher);
    await ingest.flush();
  }
  await rt.bus.close();
  rt.log.info({ lines, accepted: ingest.stats.accepted, rejected: ingest.stats.rejected }, 'collector finished');
  return 0;
}

function hostPort(text: string, option: string): [string, number] {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new CallsentryError('USAGE', `${option} takes HOST:PORT, got '${text}'`);
  return [m[1].replace(/^\[(.*)\]$/, '$1'), Number(m[2])];
}
