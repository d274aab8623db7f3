// Starts the operator API of a running enforcer as the configuration says (api.listen; the token
// from api.token_env, else api.token_file, made there at the first start). The API reads the
// incidents (incidents.v1) into a view of its own, for the incident routes.
import type { Runtime } from '../runtime/runtime';
import type { Enforcer } from '../enforcer/enforcer';
import { runStage } from '../core/stage';
import { IncidentView, incidentViewStage } from '../incidents/incident-view';
import { ensureApiToken } from './api-token';
import { startOperatorApi, type OperatorApi } from './operator-api';

export async function serveOperatorApi(rt: Runtime, enforcer: Enforcer, env: NodeJS.ProcessEnv): Promise<OperatorApi | undefined> {
  if (!rt.cfg.api.listen) return undefined;
  const token = ensureApiToken(rt.cfg, env);
  const incidents = new IncidentView();
  const reader = await runStage(rt.bus, incidentViewStage({ topics: rt.topics, view: incidents, groupId: rt.topics.group('incident-view') }), rt);
  const api = await startOperatorApi({
    listen: rt.cfg.api.listen,
    token,
    enforcer,
    producer: await rt.bus.producer(),
    topics: rt.topics,
    clock: rt.clock,
    log: rt.log,
    allowlistMinPrefix: rt.cfg.api.allowlist_min_prefix,
    incidents,
  }).catch(async (err) => {
    await reader.stop();
    throw err;
  });
  return {
    url: api.url,
    close: async () => {
      await api.close();
      await reader.stop();
    },
  };
}
