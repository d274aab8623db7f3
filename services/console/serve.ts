// Starts the operator API of a running enforcer as the configuration says (api.listen; the token
// from api.token_env, else api.token_file, made there at the first start), with the history it
// answers from (api.history_size findings and decisions, read from the bus by a group of its own).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { runStage } from '../core/stage';
import type { Runtime } from '../runtime/runtime';
import type { Enforcer } from '../enforcer/enforcer';
import { ensureApiToken } from './api-token';
import { History } from './history';
import { historyStage } from './history-stage';
import { startOperatorApi, type OperatorApi } from './operator-api';

export async function serveOperatorApi(rt: Runtime, enforcer: Enforcer, env: NodeJS.ProcessEnv): Promise<OperatorApi | undefined> {
  if (!rt.cfg.api.listen) return undefined;
  const token = ensureApiToken(rt.cfg, env);
  const history = new History(rt.cfg.api.history_size);
  const groupId = `${rt.topics.group('api-history')}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const reader = await runStage(rt.bus, historyStage({ topics: rt.topics, history, groupId }), rt);
  let api: OperatorApi;
  try {
    api = await startOperatorApi({
      listen: rt.cfg.api.listen,
      token,
      enforcer,
      producer: await rt.bus.producer(),
      topics: rt.topics,
      clock: rt.clock,
      log: rt.log,
      allowlistMinPrefix: rt.cfg.api.allowlist_min_prefix,
      mode: rt.cfg.decisions.mode,
      history,
      metrics: () => rt.metrics.render(),
    });
  } catch (err) {
    await reader.stop();
    throw err;
  }
  return {
    url: api.url,
    close: async () => {
      await api.close();
      await reader.stop();
    },
  };
}
