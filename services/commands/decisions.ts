// `callsentry decisions add|list|delete`: an operator's own block or suspension, like `cscli
// decisions add --ip X --duration 4h --reason`, through the same guardrails as a detector's (the
// allowlist and the platform's own addresses refuse it), audited with who, why and ticket, and
// printed with what the enforcer did (dry-run in a dry-run deployment). delete = unblock.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { parseDuration } from '../cli/duration';
import { CallsentryError } from '../core/errors';
import type { Decision } from '../core/records';
import { decisionLine } from '../printer/format';
import { API_OPTIONS, NOTE_OPTIONS, OUTPUT_OPTION, client, decisionSentence, notApplied, outputOf, person } from './api-common';
import { columns } from './columns';
import type { CommandIo } from './io';
import { decisionRow } from './operator';

export const decisionsSpec: CommandSpec = {
  name: 'decisions',
  summary: 'Add an operator decision (block an address or range, suspend an account), list recent decisions with their outcomes, or delete (unblock) one.',
  usage:
    'callsentry decisions add (--ip ADDRESS | --cidr RANGE | --account NAME) --action block|suspend --ttl DURATION --reason TEXT --ticket REF [-o table|json]\n' +
    '       callsentry decisions list [--ip ADDRESS | --cidr RANGE | --account NAME] [--since 4h] [-o table|json]\n' +
    '       callsentry decisions delete (--ip ADDRESS | --cidr RANGE | --account NAME) --reason TEXT --ticket REF',
  description:
    'add goes through the guardrails (an allowlisted or platform address is refused) and is audited with who (your login name), why (--reason) and --ticket; ' +
    'it prints the outcome the enforcer reports: dry-run in a dry-run deployment, applied, or refused(GUARDRAIL), and exits 1 when it was not applied. ' +
    '--action block takes --ip or --cidr (enforced at the firewall), suspend takes --account (at the proxy). ' +
    'list shows the recent decisions the running pipeline keeps (api.history_size), newest first. delete lifts a live block (the same as blocks unblock); deleting what is not blocked exits 1.',
  options: [
    ...API_OPTIONS,
    OUTPUT_OPTION,
    { name: 'ip', type: 'string', description: 'an address' },
    { name: 'cidr', type: 'string', description: 'a range' },
    { name: 'account', type: 'string', description: 'an account name' },
    { name: 'action', type: 'string', description: 'add: block (an address or range) or suspend (an account)' },
    { name: 'ttl', type: 'string', description: 'add: how long (90s, 30m, 4h, 2d, 1w)' },
    { name: 'reason', type: 'string', description: 'add, delete: why (goes to the audit trail)' },
    NOTE_OPTIONS[1]!,
    { name: 'since', type: 'string', description: 'list: only decisions of the last DURATION of event time' },
    { name: 'limit', type: 'number', description: 'list: at most this many', default: 100, range: { min: 1, max: 10_000, integer: true } },
  ],
  examples: [
    'callsentry decisions add --ip 203.0.113.50 --action block --ttl 4h --reason "SIP scanner, seen by the NOC" --ticket NOC-4711',
    'callsentry decisions add --account 1001 --action suspend --ttl 1d --reason "toll fraud after a cracked password" --ticket FRAUD-12',
    'callsentry decisions list --ip 203.0.113.50 -o json',
    'callsentry decisions delete --ip 203.0.113.50 --reason "false positive" --ticket NOC-4712',
  ],
};

export async function runDecisions(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, ...extra] = args.positionals;
  if (extra.length > 0) throw new CallsentryError('USAGE', `usage: ${decisionsSpec.usage}`);
  const output = outputOf(args);
  if (verb === 'add' || verb === 'delete') {
    const target = targetOf(args, true)!;
    const reason = args.options.reason as string | undefined;
    const ticket = args.options.ticket as string | undefined;
    if (!reason || !ticket) throw new CallsentryError('USAGE', `decisions ${verb} needs --reason TEXT and --ticket REF (they go to the audit trail)`);
    let r: { decision_id: string; decision: Decision };
    if (verb === 'add') {
      const action = args.options.action as string | undefined;
      if (action !== 'block' && action !== 'suspend') throw new CallsentryError('USAGE', '--action must be block or suspend');
      if (args.options.ttl === undefined) throw new CallsentryError('USAGE', 'decisions add needs --ttl DURATION (90s, 30m, 4h, 2d)');
      const ttl = parseDuration(String(args.options.ttl), '--ttl');
      r = await client(args, io).post('/v1/decisions', { target, action, ttl_seconds: ttl, why: reason, ticket }, person(io.env));
    } else {
      r = await client(args, io).post('/v1/blocks/unblock', { target, why: reason, ticket }, person(io.env));
    }
    if (output === 'json') io.out(JSON.stringify({ decision: decisionLine(r.decision) }));
    else io.out(`${decisionSentence(r.decision)}; decision ${r.decision_id} (audited, ticket ${ticket})`);
    return notApplied(r.decision) ? 1 : 0;
  }
  if (verb === 'list') {
    const q = new URLSearchParams();
    const target = targetOf(args, false);
    if (target) q.set('target', target);
    if (args.options.since) q.set('since', String(Date.now() - parseDuration(String(args.options.since), '--since') * 1000));
    q.set('limit', String(args.options.limit));
    const r = await client(args, io).get<{ decisions: Decision[]; history: { decisions: number; capacity: number } }>(`/v1/decisions?${q}`);
    if (output === 'json') io.out(JSON.stringify({ decisions: r.decisions.map(decisionLine), history: r.history }));
    else if (r.decisions.length === 0) io.out(`no decisions match (the history holds the last ${r.history.decisions} of at most ${r.history.capacity})`);
    else columns([['TIME', 'OUTCOME', 'ACTION', 'TARGET', 'TTL', 'BY', 'WHY'], ...r.decisions.map(decisionRow)]).forEach((l) => io.out(l));
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${decisionsSpec.usage}`);
}

/** The one target of --ip, --cidr or --account, as the API takes it. */
function targetOf(args: ParsedArgs, required: boolean): string | undefined {
  const given = (['ip', 'cidr', 'account'] as const).filter((k) => args.options[k] !== undefined);
  if (given.length > 1) throw new CallsentryError('USAGE', 'give one of --ip, --cidr or --account');
  if (given.length === 0) {
    if (required) throw new CallsentryError('USAGE', 'name the target: --ip ADDRESS, --cidr RANGE or --account NAME');
    return undefined;
  }
  const k = given[0]!;
  const v = String(args.options[k]);
  if (k === 'account') return `account:${v}`;
  if (k === 'cidr' && !v.includes('/')) throw new CallsentryError('USAGE', `--cidr takes a range such as 198.51.100.0/24, got '${v}'`);
  if (k === 'ip' && v.includes('/')) throw new CallsentryError('USAGE', `--ip takes one address; a range goes in --cidr, got '${v}'`);
  return v;
}
