// `callsentry verdict`: the pre-call verdict service on its own (HTTP and SIP redirect), its state
// read from the shared bus. The embedded `callsentry start` runs the same service.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { serveMetrics } from '../runtime/serve-metrics';
import { startVerdictService } from '../verdicts/service';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';
import { requireSharedBus } from './shared-bus';

export const spec: CommandSpec = {
  name: 'verdict',
  summary: 'Answer per-call verdicts before setup (HTTP POST /v1/verdict, SIP redirect 302/603) from the state on the bus.',
  usage: 'callsentry verdict [options]',
  description:
    'Reads findings.v1, decisions.v1, flows.sip.by-account.v1 (and the BYEs of flows.sip.v1) into its state (blocks, flagged and suspended accounts, open calls, spend, ' +
    'international baselines) and answers proxies and SBCs: HTTP on verdicts.http_listen, SIP on verdicts.sip_listen (UDP and TCP). ' +
    'Each deny is a deny-call decision on decisions.v1 (one per account or source per verdicts.decision_window_seconds). ' +
    'Without a token in the variable named by verdicts.token_env (default CALLSENTRY_VERDICT_TOKEN) it listens on loopback only. ' +
    'Proxies decide what a timeout means (fail-open by default; see docs/verdicts.md). ' +
    'It relaunches itself once with the Node flags that keep garbage collection from holding answers (--v8-pool-size=1, a 16-32 MB young generation; flags of your own win). Runs until SIGINT or SIGTERM.',
  options: [CONFIG_OPTION],
  examples: [
    'CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry verdict',
    "curl -s -H 'content-type: application/json' -d '{\"source_ip\":\"192.0.2.7\",\"account\":\"105\",\"from\":\"sip:105@pbx\",\"to\":\"+442079460000\",\"call_id\":\"c1\"}' http://127.0.0.1:9480/v1/verdict",
  ],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  requireSharedBus(cfg, 'verdict', 'on one machine, `callsentry start` runs the verdict service with every other stage');
  const rt = createRuntime(cfg);
  await ensureTopics(rt);
  const service = await startVerdictService(rt, { env: io.env });
  const metrics = await serveMetrics(rt, 'verdict');
  await io.stopSignal;
  await metrics?.close();
  await service.stop();
  await rt.bus.close();
  return 0;
}
