// `callsentry blocks` and `callsentry allowlist`: the operator's controls, through the operator API
// of a running enforcer. Every change says who, why and under which ticket, and is audited.
import { userInfo } from 'node:os';
import type { CommandSpec, OptionSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import { ApiClient } from '../console/api-client';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

const API_OPTIONS: OptionSpec[] = [
  CONFIG_OPTION,
  { name: 'api', type: 'string', description: 'operator API URL; default: http:// + api.listen of the configuration' },
];
const NOTE_OPTIONS: OptionSpec[] = [
  { name: 'who', type: 'string', description: 'who asks; default: your login name' },
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
  usage: 'callsentry allowlist list | add CIDR [--ttl SECONDS] | remove CIDR   [--why TEXT --ticket REF]',
  description: 'Adding a range also lifts the blocks live inside it. Ranges from the configuration (enforcer.allowlist) are listed by `callsentry config`.',
  options: [...API_OPTIONS, ...NOTE_OPTIONS, { name: 'ttl', type: 'number', description: 'add: the entry expires after this many seconds', range: { min: 1, max: 31_536_000, integer: true } }, { name: 'json', type: 'boolean', description: 'list: JSON' }],
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
    else for (const b of blocks) io.out(`${p(b.action).padEnd(16)} ${p(`${b.target.type}=${b.target.value}`).padEnd(28)} ${p(b.scope).padEnd(9)} until ${p(b.expires_at ?? 'unknown')}  ${p(b.reason)}${b.operator ? ` [${p(b.operator.who)}, ${p(b.operator.ticket)}]` : ''}`);
    return 0;
  }
  if ((verb === 'unblock' || verb === 'extend') && target && extra.length === 0) {
    const body: Record<string, unknown> = { target, scope: args.options.scope, ...note(args) };
    if (verb === 'extend') {
      if (args.options.ttl === undefined) throw new CallsentryError('USAGE', 'extend needs --ttl SECONDS');
      body.ttl_seconds = args.options.ttl;
    }
    const r = await api.post<{ decision_id: string }>(`/v1/blocks/${verb}`, body);
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
    else for (const e of entries) io.out(`${p(e.cidr).padEnd(24)} until ${p(e.expires_at ?? 'removed')}  ${p(e.operator.who)} ${p(e.operator.ticket)}: ${p(e.operator.why)}`);
    return 0;
  }
  if ((verb === 'add' || verb === 'remove') && cidr && extra.length === 0) {
    const body: Record<string, unknown> = { cidr, ...note(args) };
    if (verb === 'add' && args.options.ttl !== undefined) body.ttl_seconds = args.options.ttl;
    await api.post(verb === 'add' ? '/v1/allowlist' : '/v1/allowlist/remove', body);
    io.out(`allowlist ${verb} ${cidr} requested (audited)`);
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${allowlistSpec.usage}`);
}

function client(args: ParsedArgs, io: CommandIo): ApiClient {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const url = (args.options.api as string | undefined) ?? (cfg.api.listen ? `http://${cfg.api.listen}` : undefined);
  if (!url) throw new CallsentryError('USAGE', 'api.listen is off in the configuration: pass --api URL');
  return new ApiClient(url.replace(/\/$/, ''), io.env[cfg.api.token_env] || undefined);
}

function note(args: ParsedArgs): { who: string; why: string; ticket: string } {
  const why = args.options.why as string | undefined;
  const ticket = args.options.ticket as string | undefined;
  if (!why || !ticket) throw new CallsentryError('USAGE', 'every change needs --why TEXT and --ticket REF (they go to the audit trail)');
  return { who: (args.options.who as string | undefined) ?? userInfo().username, why, ticket };
}
