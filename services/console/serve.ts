// Starts the operator API of a running enforcer as the configuration says (api.listen, api.token_env).
import type { Runtime } from '../runtime/runtime';
import type { Enforcer } from '../enforcer/enforcer';
import { startOperatorApi, type OperatorApi } from './operator-api';

export async function serveOperatorApi(rt: Runtime, enforcer: Enforcer, env: NodeJS.ProcessEnv): Promise<OperatorApi | undefined> {
  if (!rt.cfg.api.listen) return undefined;
  const token = env[rt.cfg.api.token_env] || undefined;
  return startOperatorApi({ listen: rt.cfg.api.listen, token, enforcer, producer: await rt.bus.producer(), topics: rt.topics, clock: rt.clock, log: rt.log });
}
