// Starts the operator API of a running enforcer as the configuration says (api.listen; the token
// from api.token_env, else api.token_file, made there at the first start).
import type { Runtime } from '../runtime/runtime';
import type { Enforcer } from '../enforcer/enforcer';
import { ensureApiToken } from './api-token';
import { startOperatorApi, type OperatorApi } from './operator-api';

export async function serveOperatorApi(rt: Runtime, enforcer: Enforcer, env: NodeJS.ProcessEnv): Promise<OperatorApi | undefined> {
  if (!rt.cfg.api.listen) return undefined;
  const token = ensureApiToken(rt.cfg, env);
  return startOperatorApi({
    listen: rt.cfg.api.listen,
    token,
    enforcer,
    producer: await rt.bus.producer(),
    topics: rt.topics,
    clock: rt.clock,
    log: rt.log,
    allowlistMinPrefix: rt.cfg.api.allowlist_min_prefix,
  });
}
