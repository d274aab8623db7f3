// Starts the console on a runtime as console.* says: its own consumer group on the topics, the
// users (or a one-time admin), health from this process's registry and the configured /metrics
// endpoints, actions through the enforcer's operator API. Used by `callsentry start` (embedded)
// and `callsentry console` (production).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CallsentryError } from '../core/errors';
import { runStage } from '../core/stage';
import type { Runtime } from '../runtime/runtime';
import { ApiClient, apiBaseUrl } from './api-client';
import { clientApiToken } from './api-token';
import { consoleRoutes } from './console-routes';
import { startConsoleServer } from './console-server';
import { consoleStages } from './console-stage';
import { HealthMonitor, type MetricsSource } from './health';
import { LiveState } from './live-state';
import { UserDirectory } from './users';

export interface ConsoleHandle {
  url: string;
  /** set when no users are configured: the one-time admin password (shown once, never logged) */
  oneTimePassword?: string;
  state: LiveState;
  close(): Promise<void>;
}

export interface ServeConsoleOptions {
  env: NodeJS.ProcessEnv;
  /** the operator API URL; default console.operator_api, else http:// + api.listen */
  operatorApi?: string;
  /** where the login line goes: the terminal (stderr), never the JSON log */
  announce: (line: string) => void;
}

export async function serveConsole(rt: Runtime, o: ServeConsoleOptions): Promise<ConsoleHandle | undefined> {
  const c = rt.cfg.console;
  if (!c.listen) return undefined;
  const generated = c.users.length === 0 ? await UserDirectory.oneTimeAdmin() : undefined;
  const users = generated?.users ?? (await UserDirectory.fromConfig(c.users, o.env));
  const tls = readTls(c.tls);

  const state = new LiveState(c.flow_buffer, () => rt.clock.now());
  // a group of its own per process: every console sees every record
  const groupId = `${rt.topics.group('console')}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const stages = await Promise.all(consoleStages({ topics: rt.topics, state, groupId }).map((st) => runStage(rt.bus, st, rt)));

  const sources: MetricsSource[] = [
    { name: 'this process', read: async () => rt.metrics.render() },
    ...c.metrics_urls.map((url) => ({ name: url, read: () => fetchText(url) })),
  ];
  const health = new HealthMonitor(sources, () => rt.clock.now());
  health.start();

  const apiUrl = o.operatorApi ?? c.operator_api ?? (rt.cfg.api.listen ? `http://${rt.cfg.api.listen}` : undefined);
  const operator = apiUrl ? new ApiClient(apiBaseUrl(apiUrl, 'console.operator_api'), clientApiToken(rt.cfg, o.env)) : undefined;
  const routes = consoleRoutes({ state, health, operator, now: () => rt.clock.now(), log: rt.log.child({ component: 'console' }) });
  let server;
  try {
    server = await startConsoleServer({ listen: c.listen, tls, users, sessionSeconds: c.session_seconds, routes, clock: rt.clock, log: rt.log });
  } catch (err) {
    health.stop();
    for (const st of stages) await st.stop();
    throw err;
  }
  o.announce(generated ? `console: ${server.url} (user admin, password ${generated.password}; this password is shown once and lasts until the process stops)` : `console: ${server.url}`);
  return {
    url: server.url,
    oneTimePassword: generated?.password,
    state,
    close: async () => {
      health.stop();
      await server.close();
      for (const st of stages) await st.stop();
    },
  };
}

/**
 * The embedded default: a console that cannot start (its port is taken by another callsentry) is a
 * warning, not a reason to stop the pipeline.
 */
export async function serveEmbeddedConsole(rt: Runtime, o: ServeConsoleOptions): Promise<ConsoleHandle | undefined> {
  try {
    return await serveConsole(rt, o);
  } catch (err) {
    if (!(err instanceof CallsentryError) || !/is in use/.test(err.message)) throw err;
    rt.log.warn({ listen: rt.cfg.console.listen }, err.message);
    o.announce(`console: not started: ${err.message}`);
    return undefined;
  }
}

function readTls(t: { cert_file?: string; key_file?: string }): { cert: Buffer; key: Buffer } | undefined {
  if (!t.cert_file && !t.key_file) return undefined;
  if (!t.cert_file || !t.key_file) throw new CallsentryError('BAD_CONFIG', 'console.tls needs both cert_file and key_file');
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new CallsentryError('BAD_CONFIG', `console.tls.${what}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return { cert: read(t.cert_file, 'cert_file'), key: read(t.key_file, 'key_file') };
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.text();
}
