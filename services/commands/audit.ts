// `callsentry audit`: the audit service (chain + scheduled exports), and its tools: export a
// period on demand, verify an export or a log file, generate a signing key.
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
import { exportEnd, type ChainMark } from '../audit/chain-marks';
import { MANIFEST_FILE } from '../audit/manifest';
import { fingerprint, generateSigningKey, loadPublicKey, loadSigningKey, publicKeyPem } from '../audit/signing';
import { pinKey, readPins, trustedKeys, type TrustedKeys } from '../audit/trusted-keys';
import { verifyExport, type ExportVerdict } from '../audit/verify-export';
import { verifyLogFile } from '../audit/verify-log';
import { verifyExportSet, type SetMember } from '../audit/verify-set';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'audit',
  summary: 'Run the audit trail (findings, decisions and audit events hash-chained into audit.log_file and audit.log.v1, signed exports on audit.export.schedule); export, verify, keygen.',
  usage: 'callsentry audit [options] | audit export --from ISO --to ISO [--format csv|ndjson] [--out DIR] | audit verify PATH... [--public-key PEM]... | audit keygen --out DIR',
  description:
    'Without a subcommand: the single chain writer. Run exactly one per log: the chain is one sequence. It refuses to start on a log whose chain is broken, ' +
    'and, while audit.export.schedule is set, without audit.signing_key_file. ' +
    'export: the entries recorded in [--from, --to) of the log, a manifest (counts, first and last hashes, SHA-256 of each file) signed with Ed25519, the public key and summary.html, in a new directory under --out. ' +
    'verify: export directories (signature by a trusted key, file hashes, chain, continuity with the export before), a directory of exports (each, then all together: gaps, overlaps, forks) and log files (chain, signed checkpoints; entries not proven are listed; exports given with a log must be in it); names the first broken entry and exits 1 on any failure or without a trusted key. ' +
    'keygen: writes audit-signing-key.pem (private, mode 600) and audit-signing-key.pub.pem.',
  options: [
    CONFIG_OPTION,
    { name: 'from', type: 'string', description: 'export: start of the period (ISO 8601, included), by time recorded' },
    { name: 'to', type: 'string', description: 'export: end of the period (ISO 8601, excluded); not in the future' },
    { name: 'format', type: 'string', description: 'export: csv or ndjson; default audit.export.format' },
    { name: 'out', type: 'string', description: 'export: parent directory of the export (default audit.export.dir); keygen: directory of the key files' },
    { name: 'public-key', type: 'string', multiple: true, description: 'verify: your trusted copy of the public key (PEM), pinned at first use in audit.trusted_keys_file; without it only pinned keys and the public half of audit.signing_key_file are trusted, never the key shipped in an export' },
  ],
  examples: [
    'callsentry audit keygen --out /etc/callsentry',
    'callsentry audit export --from 2026-03-01T00:00:00Z --to 2026-03-02T00:00:00Z --format csv --out /srv/audit',
    'callsentry audit verify /srv/audit/audit-20260301T000000Z--20260302T000000Z --public-key /etc/callsentry/audit-signing-key.pub.pem',
    'callsentry audit verify /srv/audit',
    'callsentry audit verify .callsentry/audit.ndjson /srv/audit',
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
  const keyFile = rt.cfg.audit.signing_key_file;
  const signingKey = keyFile ? { signing_key_sha256: fingerprint(loadSigningKey(keyFile)) } : { checkpoints: 'off: audit.signing_key_file is not set' };
  rt.log.info({ log_file: auditLogPath(rt.cfg), next_sequence: head?.nextSequence, ...signingKey, export_schedule: rt.cfg.audit.export.schedule, export_dir: path.resolve(rt.cfg.audit.export.dir) }, 'audit trail running');
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
  const cfg = config(args, io);
  const trust = trustFor(cfg, args, io);
  const exports: string[] = [];
  const logs: string[] = [];
  let failed = 0;
  for (const p of paths) {
    if (!exists(p)) {
      io.err(`${p}: no such file or directory`);
      failed++;
    } else if (!statSync(p).isDirectory()) logs.push(p);
    else if (exists(path.join(p, MANIFEST_FILE))) exports.push(p);
    else {
      // a directory of exports: every export in it, verified one by one and as one chain
      const inside = readdirSync(p)
        .filter((n) => n.startsWith('audit-') && !n.includes('.partial-') && exists(path.join(p, n, MANIFEST_FILE)))
        .sort()
        .map((n) => path.join(p, n));
      if (inside.length === 0) {
        io.err(`${p}: neither an export (no ${MANIFEST_FILE}) nor a directory of exports`);
        failed++;
      }
      exports.push(...inside);
    }
  }
  const verified: SetMember[] = [];
  const report = (p: string, v: ExportVerdict) => {
    io.out(`${p}: ${v.ok ? 'OK' : 'FAILED'}`);
    for (const c of v.checks) io.out(`  ${c.name}: ${c.ok ? 'ok' : 'FAILED'}: ${c.detail}`);
    if (v.broken) io.out(`  first broken entry: sequence ${v.broken.sequence} (line ${v.broken.line}): ${v.broken.why}`);
    if (!v.ok) failed++;
  };
  for (const p of exports) {
    const v = await verifyExport(p, trust);
    report(p, v);
    if (v.ok && v.manifest) verified.push({ dir: p, manifest: v.manifest });
  }
  if (verified.length > 1) {
    const set = await verifyExportSet(verified);
    io.out(`${verified.length} exports together: ${set.check.ok ? 'OK' : 'FAILED'}`);
    io.out(`  ${set.check.name}: ${set.check.ok ? 'ok' : 'FAILED'}: ${set.check.detail}`);
    if (!set.check.ok) failed++;
  }
  // a log verified with exports must hold every entry they end at: a cut tail shows here
  const marks: ChainMark[] = verified.flatMap((m) => {
    const end = exportEnd(m.manifest);
    return end ? [{ ...end, where: `exported in ${m.dir}` }] : [];
  });
  for (const p of logs) {
    const v = await verifyLogFile(p, trust, marks);
    report(p, v);
    if (v.provenTo !== undefined) io.out(`  proven: entries 0 to ${v.provenTo}`);
    for (const u of v.unproven) io.out(`  not proven: entries ${u.from}${u.to > u.from ? ` to ${u.to}` : ''}: ${u.why}`);
  }
  const total = exports.length + logs.length + (verified.length > 1 ? 1 : 0);
  if (failed) io.err(`callsentry audit verify: ${failed} of ${Math.max(total, paths.length)} failed`);
  return failed ? 1 : 0;
}

/**
 * The keys verify trusts: --public-key (pinned in audit.trusted_keys_file at first use), the
 * public half of audit.signing_key_file when it is readable here, and the pinned fingerprints.
 */
function trustFor(cfg: CallsentryConfig, args: ParsedArgs, io: CommandIo): TrustedKeys {
  const pinFile = path.resolve(cfg.audit.trusted_keys_file);
  const given = args.options['public-key'];
  const files = given === undefined ? [] : Array.isArray(given) ? given : [String(given)];
  const keys = files.map((file) => {
    let key;
    try {
      key = loadPublicKey(readFileSync(file));
    } catch (err) {
      throw new CallsentryError('AUDIT_KEY', `--public-key ${file}: ${(err as Error).message}`);
    }
    if (pinKey(pinFile, key, `from ${path.resolve(file)}`)) io.out(`pinned key SHA-256 ${fingerprint(key)} in ${pinFile} (audit.trusted_keys_file): later verifies trust it without --public-key`);
    return key;
  });
  const own = ownPublicKey(cfg.audit.signing_key_file);
  if (own) keys.push(own);
  const trust = trustedKeys(keys, readPins(pinFile));
  io.out(trust.fingerprints.size ? `trusted keys: ${[...trust.fingerprints].map((f) => `SHA-256 ${f}`).join(', ')}` : `trusted keys: none (pass --public-key with your copy of the key; it is pinned in ${pinFile})`);
  return trust;
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

/** The public half of the signing key, when it is readable here (an auditor's machine has none). */
function ownPublicKey(file: string | null): KeyObject | undefined {
  if (!file || !exists(file)) return undefined;
  try {
    return loadPublicKey(publicKeyPem(loadSigningKey(file)));
  } catch {
    return undefined;
  }
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
