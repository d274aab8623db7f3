// `callsentry audit`: the audit service (chain + scheduled exports), and its tools: export a
// period on demand, verify an export or a log file, generate a signing key.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import type { CallsentryConfig } from '../core/config';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { serveMetrics } from '../runtime/serve-metrics';
import { exportPeriod } from '../audit/export';
import { FileAuditStore } from '../audit/file-store';
import { CronScheduler } from '../audit/scheduler';
import { auditLogPath, auditStore, startAuditService } from '../audit/service';
import { fingerprint, generateSigningKey, loadPublicKey, loadSigningKey } from '../audit/signing';
import { verifyExport, type ExportVerdict } from '../audit/verify-export';
import { verifyLogFile } from '../audit/verify-log';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'audit',
  summary: 'Run the audit trail (findings, decisions and audit events hash-chained into audit.log_file and audit.log.v1, signed exports on audit.export.schedule); export, verify, keygen.',
  usage: 'callsentry audit [options] | audit export --from ISO --to ISO [--format csv|ndjson] [--out DIR] | audit verify PATH... [--public-key PEM] | audit keygen --out DIR',
  description:
    'Without a subcommand: the single chain writer. Run exactly one per log: the chain is one sequence. It refuses to start on a log whose chain is broken, ' +
    'and, while audit.export.schedule is set, without audit.signing_key_file. ' +
    'export: the entries recorded in [--from, --to) of the log, a manifest (counts, first and last hashes, SHA-256 of each file) signed with Ed25519, the public key and summary.html, in a new directory under --out. ' +
    'verify: an export directory (signature, file hashes, chain) or a log file (chain); names the first broken entry and exits 1 on any failure. ' +
    'keygen: writes audit-signing-key.pem (private, mode 600) and audit-signing-key.pub.pem.',
  options: [
    CONFIG_OPTION,
    { name: 'from', type: 'string', description: 'export: start of the period (ISO 8601, included), by time recorded' },
    { name: 'to', type: 'string', description: 'export: end of the period (ISO 8601, excluded); not in the future' },
    { name: 'format', type: 'string', description: 'export: csv or ndjson; default audit.export.format' },
    { name: 'out', type: 'string', description: 'export: parent directory of the export (default audit.export.dir); keygen: directory of the key files' },
    { name: 'public-key', type: 'string', description: 'verify: your trusted copy of the public key (PEM); default: the key shipped in the export' },
  ],
  examples: [
    'callsentry audit keygen --out /etc/callsentry',
    'callsentry audit export --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z --format csv --out /srv/audit',
    'callsentry audit verify /srv/audit/audit-20260301T000000Z--20260302T000000Z --public-key /etc/callsentry/audit-signing-key.pub.pem',
    'callsentry audit verify .callsentry/audit.ndjson',
  ],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [sub, ...rest] = args.positionals;
  if (sub === undefined) return runService(args, io);
  if (sub === 'export' && rest.length === 0) return runExport(args, io);
  if (sub === 'verify' && rest.length > 0) return runVerify(rest, args, io);
  if (sub === 'keygen' && rest.length === 0) return runKeygen(args, io);
  throw new CallsentryError('USAGE', `usage: ${spec.usage}`);
}

async function runService(args: ParsedArgs, io: CommandIo): Promise<number> {
  const rt = createRuntime(config(args, io));
  await ensureTopics(rt);
  const service = await startAuditService(rt, { store: auditStore(rt, true), scheduler: new CronScheduler() });
  const metrics = await serveMetrics(rt, 'audit');
  const head = service.writer.current();
  rt.log.info({ log_file: auditLogPath(rt.cfg), next_sequence: head?.nextSequence, export_schedule: rt.cfg.audit.export.schedule, export_dir: path.resolve(rt.cfg.audit.export.dir) }, 'audit trail running');
  await io.stopSignal;
  await metrics?.close();
  for (const s of service.subscriptions) await s.stop();
  await rt.bus.close();
  return 0;
}

async function runExport(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = config(args, io);
  const fromMs = isoOption(args, 'from');
  const toMs = isoOption(args, 'to');
  if (toMs > Date.now()) throw new CallsentryError('USAGE', '--to is in the future: export periods that have ended (entries may still be recorded in it)');
  const format = String(args.options.format ?? cfg.audit.export.format);
  if (format !== 'csv' && format !== 'ndjson') throw new CallsentryError('USAGE', '--format must be csv or ndjson');
  const key = loadSigningKey(cfg.audit.signing_key_file);
  const file = auditLogPath(cfg);
  if (!exists(file)) throw new CallsentryError('AUDIT_STORAGE', `no audit log at ${file} (audit.log_file): is \`callsentry audit\` running from this directory?`);
  const parentDir = path.resolve(String(args.options.out ?? cfg.audit.export.dir));
  const { dir, manifest } = await exportPeriod(new FileAuditStore(file).entries(), { fromMs, toMs, format, parentDir, key, allowlist: cfg.enforcer.allowlist, nowMs: Date.now() });
  const range = manifest.first && manifest.last ? `, sequence ${manifest.first.sequence} to ${manifest.last.sequence}` : '';
  io.out(`${dir}: ${manifest.entries.count} entries${range}; signed by key SHA-256 ${manifest.public_key.sha256}`);
  return 0;
}

async function runVerify(paths: string[], args: ParsedArgs, io: CommandIo): Promise<number> {
  let trusted;
  if (args.options['public-key'] !== undefined) {
    const file = String(args.options['public-key']);
    try {
      trusted = loadPublicKey(readFileSync(file));
    } catch (err) {
      throw new CallsentryError('AUDIT_KEY', `--public-key ${file}: ${(err as Error).message}`);
    }
  }
  let failed = 0;
  for (const p of paths) {
    const isDir = exists(p) && statSync(p).isDirectory();
    if (!exists(p)) {
      io.err(`${p}: no such file or directory`);
      failed++;
      continue;
    }
    const v: ExportVerdict = isDir ? await verifyExport(p, trusted) : await verifyLogFile(p);
    io.out(`${p}: ${v.ok ? 'OK' : 'FAILED'}`);
    for (const c of v.checks) io.out(`  ${c.name}: ${c.ok ? 'ok' : 'FAILED'}: ${c.detail}`);
    if (v.broken) io.out(`  first broken entry: sequence ${v.broken.sequence} (line ${v.broken.line}): ${v.broken.why}`);
    if (!v.ok) failed++;
  }
  if (failed) io.err(`callsentry audit verify: ${failed} of ${paths.length} failed`);
  return failed ? 1 : 0;
}

async function runKeygen(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.options.out === undefined) throw new CallsentryError('USAGE', 'keygen needs --out DIR');
  const dir = path.resolve(String(args.options.out));
  mkdirSync(dir, { recursive: true });
  const priv = path.join(dir, 'audit-signing-key.pem');
  const pub = path.join(dir, 'audit-signing-key.pub.pem');
  const { privatePem, publicPem } = generateSigningKey();
  try {
    // 'wx': never overwrite a key that may have signed exports already
    writeFileSync(priv, privatePem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new CallsentryError('USAGE', `${priv}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists already; keygen never overwrites a key' : (err as Error).message}`);
  }
  writeFileSync(pub, publicPem, { flag: 'w' });
  io.out(`private key: ${priv} (set audit.signing_key_file to it; keep it secret)`);
  io.out(`public key:  ${pub} (give it to auditors: callsentry audit verify DIR --public-key ${path.basename(pub)})`);
  io.out(`public key SHA-256: ${fingerprint(loadPublicKey(publicPem))}`);
  return 0;
}

function config(args: ParsedArgs, io: CommandIo): CallsentryConfig {
  return loadConfig(args.options.config as string | undefined, io.env);
}

function isoOption(args: ParsedArgs, name: 'from' | 'to'): number {
  const v = args.options[name];
  const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new CallsentryError('USAGE', `export needs --${name} as an ISO 8601 time, e.g. 2026-03-01T00:00:00Z`);
  return ms;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
