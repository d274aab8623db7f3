// `callsentry blocks` and `callsentry allowlist`: the operator's controls, through the operator API
// of a running enforcer. Every change says who, why and under which ticket, and is audited. The token
// comes from api.token_file (or api.token_env); who is the login name of the person running the
// command (the one who could read that file), not something typed.
import { userInfo } from 'node:os';
import type { CommandSpec, OptionSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import { ApiClient, apiBaseUrl } from '../console/api-client';
import { clientApiToken } from '../console/api-token';
import { columns } from './columns';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const API_OPTIONS: OptionSpec[] = [
  CONFIG_OPTION,
  { name: 'api', type: 'string', description: 'operator API URL or HOST:PORT; default: http:// + api.listen of the configuration' },
];
const NOTE_OPTIONS: OptionSpec[] = [
  { name: 'why', type: 'string', description: 'why (required for changes)' },
  { name: 'ticket', type: 'string', description: 'ticket reference (required for changes)' },
];

export const blocksSpec: CommandSpec = {
  name: 'blocks',
  summary: 'List live blocks with reason and expiry, unblock or extend one (through the operator API; audited).',
  usage: 'callsentry blocks list [--json] | unblock TARGET | extend TARGET --ttl SECONDS   [--why TEXT --ticket REF]',
  description: 'TARGET is an address, a CIDR or account:NAME. --scope picks the enforcement point (firewall, relay, proxy; default firewall, proxy for accounts).',
  options: [
    ...API_OPTIONS,
    ...NOTE_OPTIONS,
    { name: 'scope', type: 'string', description: 'firewall, relay or proxy' },
    { name: 'ttl', type: 'number', description: 'extend: seconds from now', range: { min: 1, max: 31_536_000, integer: true } },
    { name: 'json', type: 'boolean', description: 'list: one JSON object per line' },
  ],
  examples: ['callsentry blocks list', 'callsentry blocks unblock 203.0.113.50 --why "customer PBX, false positive" --ticket NOC-4711', 'callsentry blocks extend 203.0.113.50 --ttl 86400 --why "repeat offender" --ticket SEC-12'],
};

export const allowlistSpec: CommandSpec = {
  name: 'allowlist',
  summary: 'List, add or remove operator allowlist ranges, never blocked (through the operator API; audited).',
  usage: 'callsentry allowlist list | add CIDR [--ttl SECONDS] [--force] | remove CIDR   [--why TEXT --ticket REF]',
  description: 'Adding a range also lifts the blocks live inside it. Ranges from the configuration (enforcer.allowlist) are listed by `callsentry config`.',
  options: [
    ...API_OPTIONS,
    ...NOTE_OPTIONS,
    { name: 'ttl', type: 'number', description: 'add: the entry expires after this many seconds (default: permanent)', range: { min: 1, max: 31_536_000, integer: true } },
    { name: 'force', type: 'boolean', description: 'add: a range wider than api.allowlist_min_prefix (/8, /32 for IPv6)' },
    { name: 'json', type: 'boolean', description: 'list: JSON' },
  ],
  examples: ['callsentry allowlist add 198.51.100.0/24 --why "new carrier trunk" --ticket NOC-815', 'callsentry allowlist remove 198.51.100.0/24 --why "trunk retired" --ticket NOC-901'],
};

interface LiveBlockView {
  target: { type: string; value: string };
  scope: string;
  action: string;
  expires_at: string | null;
  reason: string;
  actuators: string[];
  operator?: { who: string; ticket: string };
}

export async function runBlocks(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, target, ...extra] = args.positionals;
  const api = client(args, io);
  if (verb === 'list' && !target) {
    const { blocks } = await api.get<{ blocks: LiveBlockView[] }>('/v1/blocks');
    if (args.options.json) blocks.forEach((b) => io.out(JSON.stringify(b)));
    else if (blocks.length === 0) io.out('no live blocks');
    else columns(blocks.map((b) => [p(b.action), p(`${b.target.type}=${b.target.value}`), p(b.scope), `until ${p(b.expires_at ?? 'unknown')}`, `${p(b.reason)}${b.operator ? ` [${p(b.operator.who)}, ${p(b.operator.ticket)}]` : ''}`])).forEach((l) => io.out(l));
    return 0;
  }
  if ((verb === 'unblock' || verb === 'extend') && target && extra.length === 0) {
    const body: Record<string, unknown> = { target, scope: args.options.scope, ...note(args) };
    if (verb === 'extend') {
      if (args.options.ttl === undefined) throw new CallsentryError('USAGE', 'extend needs --ttl SECONDS');
      body.ttl_seconds = args.options.ttl;
    }
    const r = await api.post<{ decision_id: string }>(`/v1/blocks/${verb}`, body, person(io.env));
    io.out(`${verb} of ${target} requested: decision ${r.decision_id} (audited; the enforcer applies it within a second)`);
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${blocksSpec.usage}`);
}

export async function runAllowlist(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, cidr, ...extra] = args.positionals;
  const api = client(args, io);
  if (verb === 'list' && !cidr) {
    const { entries } = await api.get<{ entries: Array<{ cidr: string; expires_at?: string; operator: { who: string; why: string; ticket: string } }> }>('/v1/allowlist');
    if (args.options.json) io.out(JSON.stringify(entries));
    else if (entries.length === 0) io.out('no operator allowlist entries');
    else columns(entries.map((e) => [p(e.cidr), e.expires_at ? `until ${p(e.expires_at)}` : 'permanent', `${p(e.operator.who)} ${p(e.operator.ticket)}: ${p(e.operator.why)}`])).forEach((l) => io.out(l));
    return 0;
  }
  if ((verb === 'add' || verb === 'remove') && cidr && extra.length === 0) {
    const body: Record<string, unknown> = { cidr, ...note(args) };
    if (verb === 'add' && args.options.ttl !== undefined) body.ttl_seconds = args.options.ttl;
    if (verb === 'add' && args.options.force) body.force = true;
    const r = await api.post<{ cidr: string }>(verb === 'add' ? '/v1/allowlist' : '/v1/allowlist/remove', body, person(io.env));
    io.out(`allowlist ${verb} ${r.cidr ?? cidr} requested (audited)`);
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${allowlistSpec.usage}`);
}

export function client(args: ParsedArgs, io: CommandIo): ApiClient {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const given = args.options.api as string | undefined;
  if (given === undefined && !cfg.api.listen) throw new CallsentryError('USAGE', 'api.listen is off in the configuration: pass --api URL');
  return new ApiClient(apiBaseUrl(given ?? cfg.api.listen!), clientApiToken(cfg, io.env));
}

/** The person at the keyboard: the login name (under sudo, the one who ran sudo). */
export function person(env: NodeJS.ProcessEnv): string {
  return (env.SUDO_USER || userInfo().username).replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 64) || 'unknown';
}

export function note(args: ParsedArgs): { why: string; ticket: string } {
  const why = args.options.why as string | undefined;
  const ticket = args.options.ticket as string | undefined;
  if (!why || !ticket) throw new CallsentryError('USAGE', 'every change needs --why TEXT and --ticket REF (they go to the audit trail)');
  return { why, ticket };
}
