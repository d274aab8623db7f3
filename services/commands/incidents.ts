// `callsentry incidents list|show|ack|resolve`: the incidents through the operator API, in cscli's
// manner: `-o table` (default) for people, `-o json` for scripts; an unknown id says so and exits 1.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import type { Incident } from '../core/records';
import { columns } from './columns';
import type { CommandIo } from './io';
import { API_OPTIONS, client, note, person } from './api-common';

export const incidentsSpec: CommandSpec = {
  name: 'incidents',
  summary: 'List, show, acknowledge and resolve incidents: findings correlated by attacker (through the operator API; changes audited).',
  usage: 'callsentry incidents list [--since 4h] [--status S] [--severity S] [--key K] | show ID | ack ID... | resolve ID...   [-o table|json] [--why TEXT --ticket REF]',
  description:
    'An incident is one attack: the findings on a source, the accounts it attacked, the accounts it then used and the numbers they dialled (docs/incidents.md). ' +
    '--status takes open, acknowledged, resolved (comma-separated); --severity the lowest severity (low, medium, high, critical); --key ip:X, account:NAME, number:+N or an address. ' +
    'ack and resolve take several ids (bulk); every id must exist, or nothing changes.',
  options: [
    ...API_OPTIONS,
    { name: 'output', short: 'o', type: 'string', description: 'table or json', default: 'table' },
    { name: 'since', type: 'string', description: 'list: last seen within this long (30m, 4h, 2d) or since an ISO time' },
    { name: 'status', type: 'string', description: 'list: open, acknowledged, resolved (comma-separated)' },
    { name: 'severity', type: 'string', description: 'list: at least this severity' },
    { name: 'key', type: 'string', description: 'list: incidents that joined this key' },
    { name: 'limit', type: 'number', description: 'list: at most this many', range: { min: 1, max: 1000, integer: true } },
    { name: 'why', type: 'string', description: 'ack, resolve: why (required)' },
    { name: 'ticket', type: 'string', description: 'ack, resolve: ticket reference (required)' },
  ],
  examples: [
    'callsentry incidents list --status open,acknowledged --severity high',
    'callsentry incidents list --key account:105 -o json',
    'callsentry incidents show 3f2a9c0d1e2b3a4c5d6e7f80',
    'callsentry incidents ack 3f2a9c0d1e2b3a4c5d6e7f80 0a1b2c3d4e5f60718293a4b5 --why "on it" --ticket NOC-4711',
  ],
};

export async function runIncidents(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, ...ids] = args.positionals;
  const output = String(args.options.output);
  if (output !== 'table' && output !== 'json') throw new CallsentryError('USAGE', `-o takes table or json, got '${output}'`);
  const json = output === 'json';
  if (verb === 'list' && ids.length === 0) {
    const q = new URLSearchParams();
    for (const name of ['since', 'status', 'severity', 'key', 'limit']) if (args.options[name] !== undefined) q.set(name, String(args.options[name]));
    const { incidents } = await client(args, io).get<{ incidents: Incident[] }>(`/v1/incidents${q.size ? `?${q}` : ''}`);
    if (json) io.out(JSON.stringify(incidents, null, 2));
    else if (incidents.length === 0) io.out('no incidents');
    else columns([['ID', 'SEVERITY', 'STATUS', 'FINDINGS', 'LAST SEEN', 'ASSIGNEE', 'TITLE'], ...incidents.map(row)]).forEach((l) => io.out(l));
    return 0;
  }
  if (verb === 'show' && ids.length === 1) {
    const api = client(args, io);
    const { status, json: body } = await api.request<{ incident: Incident }>('GET', `/v1/incidents/${encodeURIComponent(ids[0])}`);
    if (status === 404) throw new CallsentryError('NOT_FOUND', `no incident ${ids[0]} (callsentry incidents list shows the known ones)`);
    if (status !== 200) throw new CallsentryError('USAGE', `operator API: ${status} ${body.error ?? ''}`.trimEnd());
    if (json) io.out(JSON.stringify(body.incident, null, 2));
    else detail(body.incident).forEach((l) => io.out(l));
    return 0;
  }
  if ((verb === 'ack' || verb === 'resolve') && ids.length > 0) {
    const api = client(args, io);
    const { status, json: body } = await api.request<{ actions: Array<{ incident_id: string; action_id: string }>; unknown?: string[] }>('POST', `/v1/incidents/${verb}`, { ids, ...note(args) }, person(io.env));
    if (status === 404) throw new CallsentryError('NOT_FOUND', `${body.error ?? 'no such incident'}; nothing was changed`);
    if (status !== 202) throw new CallsentryError('USAGE', `operator API: ${status} ${body.error ?? ''}`.trimEnd());
    if (json) io.out(JSON.stringify(body.actions, null, 2));
    else for (const a of body.actions) io.out(`${verb === 'ack' ? 'acknowledge' : 'resolve'} incident ${p(a.incident_id)} requested: action ${p(a.action_id)} (audited)`);
    return 0;
  }
  throw new CallsentryError('USAGE', `usage: ${incidentsSpec.usage}`);
}

function row(i: Incident): string[] {
  return [p(i.id), p(i.severity), p(i.closed ? `${i.status} (closed)` : i.status), String(i.finding_count), p(i.last_seen), p(i.assignee ?? '-'), p(i.title)];
}

function detail(i: Incident): string[] {
  const head = columns([
    ['Incident', p(i.id)],
    ['Title', p(i.title)],
    ['Status', p(i.closed ? `${i.status} (closed: quiet past the gap)` : i.status)],
    ['Severity', p(i.severity)],
    ['Assignee', p(i.assignee ?? '-')],
    ['First seen', p(i.first_seen)],
    ['Last seen', p(i.last_seen)],
    ['Keys', p(i.keys.map((k) => `${k.type}:${k.value}`).join(', '))],
    ['Findings', `${i.finding_count}${i.finding_count > i.timeline.length ? ` (${i.timeline.length} on the timeline)` : ''}`],
  ]);
  const timeline = i.timeline.map((e) => [p(e.phase), p(e.first_seen), p(e.severity), p(e.rule_id), p(`${e.key.type}:${e.key.value}`), p(e.id)]);
  const decisions = i.decisions.map((d) => [p(d.action), p(`${d.target.type}:${d.target.value}`), p(d.mode), `${d.ttl_seconds}s`, p(d.outcome ?? 'no outcome yet'), p(d.result ?? '')]);
  const notes = i.notes.map((n) => [p(n['@timestamp']), p(n.who), p(n.ticket), p(n.text)]);
  return [
    ...head,
    '',
    'Timeline (kill-chain order):',
    ...columns([['PHASE', 'FIRST SEEN', 'SEVERITY', 'DETECTOR', 'KEY', 'FINDING'], ...timeline]).map((l) => `  ${l}`),
    '',
    decisions.length ? 'Decisions:' : 'Decisions: none',
    ...(decisions.length ? columns([['ACTION', 'TARGET', 'MODE', 'TTL', 'OUTCOME', 'RESULT'], ...decisions]).map((l) => `  ${l}`) : []),
    '',
    notes.length ? 'Notes:' : 'Notes: none',
    ...(notes.length ? columns([['AT', 'WHO', 'TICKET', 'TEXT'], ...notes]).map((l) => `  ${l}`) : []),
  ];
}
