// The audit service on a runtime: the chain writer over its store, the stage that feeds it, and
// (for `callsentry audit`) the scheduled signed exports.
import path from 'node:path';
import type { CallsentryConfig } from '../core/config';
import type { Subscription } from '../core/ports';
import { runStage } from '../core/stage';
import type { Runtime } from '../runtime/runtime';
import { auditStage, publishToLogTopic } from './audit-stage';
import { ChainWriter } from './chain-writer';
import { FileAuditStore } from './file-store';
import { runScheduledExport } from './scheduled-export';
import { checkCronExpression, type Scheduler } from './scheduler';
import { loadSigningKey } from './signing';
import { MemoryAuditStore, type AuditStore } from './store';

/** where `callsentry audit` keeps the log when audit.log_file is not set */
export const DEFAULT_LOG_FILE = '.callsentry/audit.ndjson';

export function auditLogPath(cfg: CallsentryConfig): string {
  return path.resolve(cfg.audit.log_file ?? DEFAULT_LOG_FILE);
}

/** The durable store for `callsentry audit`; the embedded default keeps memory unless a file is configured. */
export function auditStore(rt: Runtime, durable: boolean): AuditStore {
  if (!durable && !rt.cfg.audit.log_file) return new MemoryAuditStore();
  return new FileAuditStore(auditLogPath(rt.cfg), rt.log.child({ component: 'audit-log' }));
}

export interface AuditServiceOptions {
  store: AuditStore;
  /** run scheduled exports (audit.export.schedule) with this scheduler */
  scheduler?: Scheduler;
  groupId?: string;
}

export interface AuditService {
  writer: ChainWriter;
  subscriptions: Subscription[];
}

export async function startAuditService(rt: Runtime, o: AuditServiceOptions): Promise<AuditService> {
  const exportCfg = rt.cfg.audit.export;
  // configuration errors stop the start, before anything is consumed
  const key = o.scheduler && exportCfg.schedule !== null ? loadSigningKey(rt.cfg.audit.signing_key_file) : undefined;
  if (o.scheduler && exportCfg.schedule !== null) checkCronExpression(exportCfg.schedule);

  const log = rt.log.child({ component: 'audit' });
  const writer = new ChainWriter({ store: o.store, clock: rt.clock, log, publish: publishToLogTopic(await rt.bus.producer(), rt.topics) });
  // opening verifies the stored chain: a broken log refuses to start here
  await writer.start();
  const stage = await runStage(rt.bus, auditStage({ topics: rt.topics, writer, ...(o.groupId ? { groupId: o.groupId } : {}) }), rt);
  const subscriptions: Subscription[] = [];
  if (o.scheduler && key && exportCfg.schedule !== null) {
    const opts = { writer, store: o.store, dir: path.resolve(exportCfg.dir), format: exportCfg.format, key, allowlist: rt.cfg.enforcer.allowlist, log };
    const job = o.scheduler.schedule(exportCfg.schedule, async (at) => {
      // a failed export is logged and the next run covers its period too
      await runScheduledExport(opts, at).catch((err) => log.error({ err, dir: opts.dir }, 'scheduled audit export failed; the next run covers this period'));
    });
    subscriptions.push({ stop: async () => job.stop() });
  }
  subscriptions.push({
    stop: async () => {
      await stage.stop();
      await writer.close();
    },
  });
  return { writer, subscriptions };
}

