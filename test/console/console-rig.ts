// The embedded pipeline with its operator API and console, in this process, with three users (one
// per role) and the audit trail collected, so a browser test can feed traffic while it watches.
import { MemoryBus } from '../../services/adapters/memory-bus/memory-bus';
import { DEFAULT_CONFIG, type CallsentryConfig } from '../../services/core/config';
import { decode } from '../../services/core/codec';
import { silentLogger } from '../../services/core/ports';
import type { AuditEvent, Decision } from '../../services/core/records';
import { Ingest } from '../../services/collector/ingest';
import { feedCapture } from '../../services/commands/feed-capture';
import type { CommandIo } from '../../services/commands/io';
import { hashPassword } from '../../services/console/password';
import type { OperatorApi } from '../../services/console/operator-api';
import { serveOperatorApi } from '../../services/console/serve';
import { serveConsole, type ConsoleHandle } from '../../services/console/serve-console';
import type { Enforcer } from '../../services/enforcer/enforcer';
import { createRuntime, ensureTopics, type Runtime } from '../../services/runtime/runtime';
import { startAll } from '../../services/runtime/stages';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

export const USERS = {
  admin: { name: 'root', password: 'admin-password-123', role: 'admin' },
  operator: { name: 'ana', password: 'operator-password-123', role: 'operator' },
  viewer: { name: 'val', password: 'viewer-password-123', role: 'viewer' },
} as const;

export interface ConsoleRig {
  rt: Runtime;
  bus: MemoryBus;
  api: OperatorApi;
  console: ConsoleHandle;
  audit: AuditEvent[];
  decisions: Decision[];
  ingest: Ingest;
  feedCapture(file: string): Promise<number>;
  feedRecords(records: object[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startRig(): Promise<ConsoleRig> {
  const cfg: CallsentryConfig = structuredClone(DEFAULT_CONFIG);
  cfg.console.listen = '127.0.0.1:0';
  cfg.api.listen = '127.0.0.1:0';
  cfg.console.users = await Promise.all(Object.values(USERS).map(async (u) => ({ name: u.name, role: u.role, password_hash: await hashPassword(u.password) })));
  const bus = new MemoryBus();
  const rt = createRuntime(cfg, { bus, log: silentLogger });
  await ensureTopics(rt);
  const audit: AuditEvent[] = [];
  const decisions: Decision[] = [];
  await bus.subscribe({ groupId: 'test-audit', topics: [rt.topics.name('audit.v1')], handler: async (b) => void b.messages.forEach((m) => audit.push(decode(m))) });
  await bus.subscribe({ groupId: 'test-decisions', topics: [rt.topics.name('decisions.v1')], handler: async (b) => void b.messages.forEach((m) => decisions.push(decode(m))) });
  let enforcer: Enforcer | undefined;
  const subs = await startAll(rt, undefined, { onEnforcer: (e) => (enforcer = e) });
  // the operator API and the console as `callsentry start` wires them: the token made in its file
  // at the first start, the console reading it from there
  const env = { CALLSENTRY_API_TOKEN_FILE: path.join(mkdtempSync(path.join(tmpdir(), 'callsentry-rig-')), 'api-token') };
  const api = (await serveOperatorApi(rt, enforcer!, env))!;
  const noc = (await serveConsole(rt, { env, operatorApi: api.url, announce: () => undefined }))!;
  const ingest = new Ingest({ producer: await bus.producer(), topics: rt.topics, metrics: rt.metrics, sensor: 'lab' });
  const io: CommandIo = { out: () => undefined, err: () => undefined, stdin: Readable.from([]), env: {}, isTty: false, stopSignal: new Promise(() => undefined) };
  return {
    rt,
    bus,
    api,
    console: noc,
    audit,
    decisions,
    ingest,
    feedCapture: async (file) => (await feedCapture(ingest, file, io, 'lab', undefined, cfg.collector.evidence)).records,
    feedRecords: async (records) => {
      for (const r of records) await ingest.record(r);
      await ingest.flush();
    },
    stop: async () => {
      await noc.close();
      await api.close();
      for (const s of subs) await s.stop();
      await bus.close();
    },
  };
}

/** Polls until `check` returns a value, up to a bound; the message says what never happened. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
