// The audit service on a runtime: the chain writer over its store, the stage that feeds it, and
// (for `callsentry audit`) the scheduled signed exports.
import path from 'node:path';
import type { CallsentryConfig } from '../core/config';
import type { Subscription } from '../core/ports';
import { runStage } from '../core/stage';
import type { Runtime } from '../runtime/runtime';
import { auditStage, publishToLogTopic } from './audit-stage';
import { exportMark, publishedMark, type ChainMark } from './chain-marks';
import { ChainWriter } from './chain-writer';
import type { CheckpointPolicy } from './checkpoint';
import { FileAuditStore } from './file-store';
import { runScheduledExport } from './scheduled-export';
import { checkCronExpression, type Scheduler } from './scheduler';
import { loadSigningKey, publicKeyPem, loadPublicKey } from './signing';
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
  const auditCfg = rt.cfg.audit;
  const exportCfg = auditCfg.export;
  const scheduled = o.scheduler !== undefined && exportCfg.schedule !== null;
  // configuration errors stop the start, before anything is consumed
  const key = scheduled || auditCfg.signing_key_file ? loadSigningKey(auditCfg.signing_key_file) : undefined;
  if (scheduled) checkCronExpression(exportCfg.schedule!);

  const log = rt.log.child({ component: 'audit' });
  const checkpoints: CheckpointPolicy | undefined = key && { key, everyEntries: auditCfg.checkpoint.every_entries, everySeconds: auditCfg.checkpoint.every_seconds };
  const logTopic = rt.topics.name('audit.log.v1');
  const exportDir = path.resolve(exportCfg.dir);
  const marks = async (): Promise<ChainMark[]> => {
    // an export or a published entry the log does not reach means the log was cut
    const pub = publishedMark(await rt.bus.lastMessage(logTopic, 0), logTopic);
    // a chain kept in memory starts anew with its process and is never exported
    const exported = o.store instanceof MemoryAuditStore ? undefined : await exportMark(exportDir, key && loadPublicKey(publicKeyPem(key)));
    return [pub, exported].filter((m): m is ChainMark => m !== undefined);
  };
  const writer = new ChainWriter({ store: o.store, clock: rt.clock, log, publish: publishToLogTopic(await rt.bus.producer(), rt.topics), marks, ...(checkpoints ? { checkpoints } : {}) });
  // opening verifies the stored chain: a broken log, or one cut below what was exported or published, refuses to start here
  await writer.start();
  const stage = await runStage(rt.bus, auditStage({ topics: rt.topics, writer, ...(o.groupId ? { groupId: o.groupId } : {}) }), rt);
  const subscriptions: Subscription[] = [];
  if (scheduled && key) {
    const opts = { writer, store: o.store, dir: exportDir, format: exportCfg.format, key, allowlist: rt.cfg.enforcer.allowlist, log };
    const job = o.scheduler!.schedule(exportCfg.schedule!, async (at) => {
      // a failed export is logged and the next run covers its period too
      await runScheduledExport(opts, at).catch((err) => log.error({ err, dir: opts.dir }, 'scheduled audit export failed; the next run covers this period'));
    });
    subscriptions.push({ stop: async () => job.stop() });
  }
  if (checkpoints) {
    // entries recorded after the last checkpoint get one within every_seconds, even when nothing more comes
    const timer = setInterval(() => void writer.checkpointIfDue().catch((err) => log.warn({ err }, 'audit checkpoint failed; retried on the next tick')), checkpoints.everySeconds * 1000);
    timer.unref();
    subscriptions.push({ stop: async () => clearInterval(timer) });
  }
  subscriptions.push({
    stop: async () => {
      await stage.stop();
      await writer.close();
    },
  });
  return { writer, subscriptions };
}

