// `callsentry blocks` and `callsentry allowlist`: the operator's controls, through the operator API
// of a running enforcer. Every change says who, why and under which ticket, and is audited. The token
// comes from api.token_file (or api.token_env); who is the login name of the person running the
// command (the one who could read that file), not something typed.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import type { Decision, Finding } from '../core/records';
import { decisionLine } from '../printer/format';
import { API_OPTIONS, NOTE_OPTIONS, OUTPUT_OPTION, client, decisionSentence, note, notApplied, outputOf, person } from './api-common';
import { columns } from './columns';
import { parseDuration } from '../cli/duration';
import type { CommandIo } from './io';

export const blocksSpec: CommandSpec = {
  name: 'blocks',
  summary: 'List live blocks, show why one is blocked, unblock or extend one (through the operator API; audited).',
  usage: 'callsentry blocks list [-o table|json] | show TARGET [-o table|json] | unblock TARGET | extend TARGET --ttl DURATION   [--why TEXT --ticket REF]',
  description:
    'TARGET is an address, a CIDR or account:NAME. --scope picks the enforcement point (firewall, relay, proxy; default firewall, proxy for accounts). ' +
    'show: the block, its reason, the findings behind it with their evidence, the decisions with their outcomes (guardrails, ttl applied) and the expiry; exits 1 when TARGET is not blocked. ' +
    'unblock and extend print what the enforcer did (dry-run(removed), renewed ...); unblocking what is not blocked changes nothing and exits 1.',
  options: [
    ...API_OPTIONS,
    ...NOTE_OPTIONS,
    OUTPUT_OPTION,
    { name: 'scope', type: 'string', description: 'firewall, relay or proxy' },
    { name: 'ttl', type: 'string', description: 'extend: how long from now (90s, 30m, 4h, 2d; or seconds)' },
    { name: 'json', type: 'boolean', description: 'list: one JSON object per line (older form of -o json)' },
  ],
  examples: [
    'callsentry blocks list',
    'callsentry blocks show 203.0.113.50',
    'callsentry blocks show 203.0.113.50 -o json | jq .findings',
    'callsentry blocks unblock 203.0.113.50 --why "customer PBX, false positive" --ticket NOC-4711',
    'callsentry blocks extend 203.0.113.50 --ttl 1d --why "repeat offender" --ticket SEC-12',
  ],
};

export const allowlistSpec: CommandSpec = {
  name: 'allowlist',
  summary: 'List, add or remove operator allowlist ranges, never blocked (through the operator API; audited).',
  usage: 'callsentry allowlist list [-o table|json] | add CIDR [--ttl DURATION] [--force] | remove CIDR   [--why TEXT --ticket REF]',
  description: 'Adding a range also lifts the blocks live inside it. Ranges from the configuration (enforcer.allowlist) are listed by `callsentry config`. Removing a range that is not an operator entry changes nothing and exits 1.',
  options: [
    ...API_OPTIONS,
    ...NOTE_OPTIONS,
    OUTPUT_OPTION,
    { name: 'ttl', type: 'string', description: 'add: the entry expires after this long (90s, 30m, 4h, 2d; or seconds; default: permanent)' },
    { name: 'force', type: 'boolean', description: 'add: a range wider than api.allowlist_min_prefix (/8, /32 for IPv6)' },
    { name: 'json', type: 'boolean', description: 'list: JSON (the same as -o json)' },
  ],
  examples: ['callsentry allowlist add 198.51.100.0/24 --why "new carrier trunk" --ticket NOC-815', 'callsentry allowlist remove 198.51.100.0/24 --why "trunk retired" --ticket NOC-901'],
};

/** An extended block says so beside its reason: the last operator's note and how many there are. */
function notesOf(b: LiveBlockView): string {
  const n = b.notes ?? [];
  const last = n[n.length - 1];
  return last ? ` (extended by ${p(last.who)}, ${p(last.ticket)}: ${p(last.why)}${n.length > 1 ? `; ${n.length} extensions` : ''})` : '';
}

interface LiveBlockView {
  target: { type: string; value: string };
  scope: string;
  action: string;
  expires_at: string | null;
  reason: string;
  actuators: string[];
  operator?: { who: string; ticket: string };
  notes?: Array<{ who: string; why: string; ticket: string; at: string; ttl_seconds: number }>;
}

export async function runBlocks(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, target, ...extra] = args.positionals;
  const output = outputOf(args);
  const api = client(args, io);
  if (verb === 'list' && !target) {
    const { blocks } = await api.get<{ blocks: LiveBlockView[] }>('/v1/blocks');
    if (output === 'json') io.out(JSON.stringify({ blocks }));
    else if (args.options.json) blocks.forEach((b) => io.out(JSON.stringify(b)));
    else if (blocks.length === 0) io.out('no live blocks');
    else columns(blocks.map((b) => [p(b.action), p(`${b.target.type}=${b.target.value}`), p(b.scope), `until ${p(b.expires_at ?? 'unknown')}`, `${p(b.reason)}${b.operator ? ` [${p(b.operator.who)}, ${p(b.operator.ticket)}]` : ''}${notesOf(b)}`])).forEach((l) => io.out(l));
    return 0;
  }
  if (verb === 'show' && target && extra.length === 0) return showBlock(api, target, args, output, io);
  if ((verb === 'unblock' || verb === 'extend') && target && extra.length === 0) {
    const body: Record<string, unknown> = { target, scope: args.options.scope, ...note(args) };
    if (verb === 'extend') {
      if (args.options.ttl === undefined) throw new CallsentryError('USAGE', 'extend needs --ttl DURATION (90s, 30m, 4h, 2d)');
      body.ttl_seconds = parseDuration(String(args.options.ttl), '--ttl');
    }
    const r = await api.post<{ decision_id: string; decision: Decision }>(`/v1/blocks/${verb}`, body, person(io.env));
    if (output === 'json') io.out(JSON.stringify({ decision: decisionLine(r.decision) }));
    else io.out(`${verb} of ${target}: ${decisionSentence(r.decision)}; decision ${r.decision_id} (audited)`);
    return notApplied(r.decision) ? 1 : 0;
  }
  throw new CallsentryError('USAGE', `usage: ${blocksSpec.usage}`);
}

interface BlockShow {
  block: LiveBlockView & { decisionId?: string; findingIds?: string[]; notes?: Array<{ who: string; why: string; ticket: string; at: string; ttl_seconds: number }>; origin?: { type: string; id: string } };
  findings: Array<Finding | { id: string; unknown: string }>;
  decisions: Decision[];
}

/** Why TARGET is blocked: the block, its findings with their evidence, the decisions with their outcomes. */
async function showBlock(api: ReturnType<typeof client>, target: string, args: ParsedArgs, output: 'table' | 'json', io: CommandIo): Promise<number> {
  const scope = args.options.scope ? `&scope=${encodeURIComponent(String(args.options.scope))}` : '';
  const r = await api.get<BlockShow>(`/v1/blocks/show?target=${encodeURIComponent(target)}${scope}`);
  if (output === 'json') {
    io.out(JSON.stringify({ block: r.block, findings: r.findings, decisions: r.decisions.map(decisionLine) }));
    return 0;
  }
  const b = r.block;
  const left = b.expires_at ? Math.max(0, Math.round((Date.parse(b.expires_at) - Date.now()) / 1000)) : undefined;
  io.out(`${p(b.target.type)}=${p(b.target.value)} at ${p(b.scope)}: ${p(b.action)} until ${p(b.expires_at ?? 'unknown')}${left !== undefined ? ` (${left}s left)` : ''}`);
  io.out(`reason: ${p(b.reason)}`);
  if (b.origin) io.out(`decided by: ${p(b.origin.type)} ${p(b.origin.id)}${b.decisionId ? `, decision ${p(b.decisionId)}` : ''}`);
  io.out(`held by: ${b.actuators.length ? b.actuators.map(p).join(', ') : 'no enforcement point reported it'}`);
  for (const n of b.notes ?? []) io.out(`note: extended ${n.ttl_seconds}s by ${p(n.who)} (${p(n.ticket)}) at ${p(n.at)}: ${p(n.why)}`);
  io.out('findings:');
  if (r.findings.length === 0) io.out('  none (an operator decision, or a block adopted from the enforcement point)');
  for (const f of r.findings) {
    if (!('rule' in f)) {
      io.out(`  ${p(f.id)}  ${p(f.unknown)}`);
      continue;
    }
    io.out(`  ${p(f.event.id)}  ${p(f['@timestamp'])}  ${p(f.severity)}  ${p(f.rule.id)}  ${p(f.key.type)}=${p(f.key.value)}  ${p(f.rule.description ?? f.rule.name)}`);
    const counts = Object.entries(f.counts).map(([k, v]) => `${p(k)}=${v}`).join(' ');
    if (counts) io.out(`    counts: ${counts}`);
    for (const [set, values] of Object.entries(f.evidence.observed ?? {})) io.out(`    ${p(set)}: ${values.map(p).join(', ')}`);
  }
  io.out('decisions:');
  if (r.decisions.length === 0) io.out('  none in this process\'s history');
  columns(r.decisions.map((d) => decisionRow(d))).forEach((l) => io.out(`  ${l}`));
  return 0;
}

/** One decision as a table row: time, outcome, action applied, target, ttl applied, by, why. */
export function decisionRow(d: Decision): string[] {
  const l = decisionLine(d);
  const ttl = l.outcome ? (l.ttl_applied_seconds ? `${l.ttl_applied_seconds}s` : '-') : `${l.ttl_seconds}s requested`;
  const extra = [l.offense && l.offense > 1 ? `repeat offender x${l.offense}` : '', l.outcome_reason ?? ''].filter(Boolean).join('; ');
  return [p(l['@timestamp']), p(l.status), p(l.action_applied), p(`${l.target.type}=${l.target.value}`), ttl, p(d.origin.type === 'operator' ? `operator ${d.origin.id}` : l.detector), p(extra || l.reason)];
}

export async function runAllowlist(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, cidr, ...extra] = args.positionals;
  const api = client(args, io);
  if (verb === 'list' && !cidr) {
    const { entries } = await api.get<{ entries: Array<{ cidr: string; expires_at?: string; operator: { who: string; why: string; ticket: string } }> }>('/v1/allowlist');
    if (args.options.json || outputOf(args) === 'json') io.out(JSON.stringify(entries));
    else if (entries.length === 0) io.out('no operator allowlist entries');
    else columns(entries.map((e) => [p(e.cidr), e.expires_at ? `until ${p(e.expires_at)}` : 'permanent', `${p(e.operator.who)} ${p(e.operator.ticket)}: ${p(e.operator.why)}`])).forEach((l) => io.out(l));
    return 0;
  }
  if ((verb === 'add' || verb === 'remove') && cidr && extra.length === 0) {
    const body: Record<string, unknown> = { cidr, ...note(args) };
    if (verb === 'add' && args.options.ttl !== undefined) body.ttl_seconds = parseDuration(String(args.options.ttl), '--ttl');
    if (verb === 'add' && args.options.force) body.force = true;
    const r = await api.post<{ cidr: string }>(verb === 'add' ? '/v1/allowlist' : '/v1/allowlist/remove', body, person(io.env));
    io.out(`allowlist ${verb} ${r.cidr ?? cidr} requested (audited)`);
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${allowlistSpec.usage}`);
}
