// `callsentry findings list|inspect`: the recent findings the running pipeline has seen (the
// operator API's history, api.history_size), filtered like cscli's alerts list; inspect shows one
// in full, with what it observed and the decisions it led to, each with its outcome.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { parseDuration } from '../cli/duration';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import type { Decision, Finding } from '../core/records';
import { decisionLine } from '../printer/format';
import { API_OPTIONS, OUTPUT_OPTION, client, outputOf } from './api-common';
import { columns } from './columns';
import type { CommandIo } from './io';
import { decisionRow } from './operator';

export const findingsSpec: CommandSpec = {
  name: 'findings',
  summary: 'List recent findings (--since, --ip, --account, --detector, --severity) or inspect one with its evidence and decisions.',
  usage: 'callsentry findings list [--since 4h] [--ip ADDRESS] [--account NAME] [--detector ID] [--severity LEVEL] [-o table|json] | inspect ID [-o table|json]',
  description:
    'Asks the running pipeline (`callsentry start`, or `callsentry enforce` in production) through its operator API: it keeps the last api.history_size findings and decisions in memory. ' +
    'Older findings are in Elasticsearch when `callsentry index` runs (docs/indexing.md). --severity keeps that level and higher. Newest first. ' +
    'inspect exits 1 when the finding is not in the history.',
  options: [
    ...API_OPTIONS,
    OUTPUT_OPTION,
    { name: 'since', type: 'string', description: 'list: only findings of the last DURATION (90s, 30m, 4h, 2d) of event time, or since an ISO 8601 time' },
    { name: 'ip', type: 'string', description: 'list: findings keyed by this address (or CIDR)' },
    { name: 'account', type: 'string', description: 'list: findings keyed by this account' },
    { name: 'detector', type: 'string', description: 'list: one detector, e.g. sip/digest-bruteforce' },
    { name: 'severity', type: 'string', description: 'list: low, medium, high or critical (and above)' },
    { name: 'limit', type: 'number', description: 'list: at most this many', default: 100, range: { min: 1, max: 10_000, integer: true } },
  ],
  examples: ['callsentry findings list --since 4h --severity high', 'callsentry findings list --ip 203.0.113.50 -o json | jq .findings[].rule.id', 'callsentry findings inspect 5c1e0f3a9b2d4e6f7a8b9c0d'],
};

export async function runFindings(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, id, ...extra] = args.positionals;
  const output = outputOf(args);
  if (verb === 'list' && !id) {
    const q = new URLSearchParams();
    const since = args.options.since as string | undefined;
    if (since) q.set('since', /^\d{4}-\d\d-\d\dT/.test(since) ? since : String(Date.now() - parseDuration(since, '--since') * 1000));
    for (const k of ['ip', 'account', 'detector', 'severity'] as const) if (args.options[k] !== undefined) q.set(k, String(args.options[k]));
    q.set('limit', String(args.options.limit));
    const r = await client(args, io).get<{ findings: Finding[]; history: { findings: number; capacity: number } }>(`/v1/findings?${q}`);
    if (output === 'json') io.out(JSON.stringify({ findings: r.findings, history: r.history }));
    else if (r.findings.length === 0) io.out(`no findings match (the history holds the last ${r.history.findings} of at most ${r.history.capacity})`);
    else columns([['ID', 'TIME', 'SEVERITY', 'DETECTOR', 'KEY', 'WHAT'], ...r.findings.map(row)]).forEach((l) => io.out(l));
    return 0;
  }
  if (verb === 'inspect' && id && extra.length === 0) {
    const r = await client(args, io).get<{ finding: Finding; decisions: Decision[] }>(`/v1/findings/${encodeURIComponent(id)}`);
    if (output === 'json') io.out(JSON.stringify({ finding: r.finding, decisions: r.decisions.map(decisionLine) }));
    else inspect(r.finding, r.decisions).forEach((l) => io.out(l));
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${findingsSpec.usage}`);
}

function row(f: Finding): string[] {
  return [p(f.event.id), p(f['@timestamp']), p(f.severity), p(f.rule.id), p(`${f.key.type}=${f.key.value}`), p(f.rule.description ?? f.rule.name)];
}

function inspect(f: Finding, decisions: Decision[]): string[] {
  const out = [
    `finding ${p(f.event.id)}`,
    `  detector:   ${p(f.rule.id)} (${p(f.rule.category)}; ${p(f.labels.behavior)}${f.labels.mitre_technique ? `, MITRE ${p(f.labels.mitre_technique)}` : ''})`,
    `  what:       ${p(f.rule.description ?? f.rule.name)}`,
    `  key:        ${p(f.key.type)}=${p(f.key.value)}`,
    `  severity:   ${p(f.severity)}`,
    `  seen:       ${p(f.first_seen)} .. ${p(f.last_seen)} (window ${f.window.seconds}s${f.window.horizon ? `, horizon ${p(f.window.horizon)}` : ''})`,
    `  source:     ${f.source_proven ? 'proven' : 'unproven (forgeable)'}${f.source_established ? ', established (a registered phone)' : ''}`,
    `  remedy:     ${p(f.remediation)}`,
    `  counts:     ${Object.entries(f.counts).map(([k, v]) => `${p(k)}=${v}`).join(' ') || 'none'}`,
    '  observed:',
  ];
  const observed = Object.entries(f.evidence.observed ?? {});
  if (observed.length === 0) out.push('    nothing named (this detector counts only)');
  for (const [set, values] of observed) out.push(`    ${p(set)}: ${values.map(p).join(', ')}`);
  out.push(`  records:    ${f.evidence.record_ids.map(p).join(' ') || 'none'}`);
  out.push('decisions:');
  if (decisions.length === 0) out.push('  none in this process\'s history');
  columns(decisions.map(decisionRow)).forEach((l) => out.push(`  ${l}`));
  return out;
}
