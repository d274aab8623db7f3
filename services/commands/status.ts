// `callsentry status`: one look at the running pipeline, like `cscli metrics` or `fail2ban-client
// status`: the mode, the circuit breaker, live blocks, each stage with the records it read and its
// consumer lag, dead letters, guardrail refusals, open incidents (when the server has them) and how
// much history it holds. Exits 1 while the breaker is open (enforcement is alert-only).
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import { API_OPTIONS, OUTPUT_OPTION, client, outputOf } from './api-common';
import { columns } from './columns';
import type { CommandIo } from './io';

export const statusSpec: CommandSpec = {
  name: 'status',
  summary: 'One-shot status of the running pipeline: mode, circuit breaker, live blocks, stages and their lag, dead letters, open incidents.',
  usage: 'callsentry status [-o table|json]',
  description:
    'Asks the operator API of `callsentry start` (or `callsentry enforce`). Stages and lag are those of that process (on Kafka, each stage process has its own /metrics). ' +
    'Open incidents are shown when the server has an incidents API. Exits 1 while the circuit breaker holds enforcement at alert-only.',
  options: [...API_OPTIONS, OUTPUT_OPTION],
  examples: ['callsentry status', 'callsentry status -o json | jq .circuit_open'],
};

export interface Status {
  at: string;
  mode: 'enforce' | 'dry-run';
  circuit_open: boolean;
  live_blocks: number;
  stages: Array<{ name: string; records_in: number; lag: number | null; failures: number }>;
  dead_letters: Record<string, number>;
  refused: Record<string, number>;
  history: { findings: number; decisions: number; capacity: number } | null;
  /** open incidents; null when the server has no incidents API */
  open_incidents?: number | null;
}

export async function runStatus(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.positionals.length > 0) throw new CallsentryError('USAGE', `usage: ${statusSpec.usage}`);
  const output = outputOf(args);
  const api = client(args, io);
  const s = await api.get<Status>('/v1/status');
  s.open_incidents = await openIncidents(api);
  if (output === 'json') io.out(JSON.stringify(s));
  else table(s).forEach((l) => io.out(l));
  return s.circuit_open ? 1 : 0;
}

/** The incidents API is another part of the server and may be absent: then null, not an error. */
async function openIncidents(api: ReturnType<typeof client>): Promise<number | null> {
  try {
    const r = await api.request<{ incidents?: Array<{ status?: string }> }>('GET', '/v1/incidents?status=open');
    if (r.status !== 200 || !Array.isArray(r.json.incidents)) return null;
    return r.json.incidents.filter((i) => i.status === undefined || i.status === 'open').length;
  } catch {
    return null;
  }
}

function table(s: Status): string[] {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const by = (r: Record<string, number>) => Object.entries(r).filter(([, n]) => n > 0).map(([k, n]) => `${p(k)}=${n}`).join(' ');
  const out = [
    `mode:            ${s.mode}${s.mode === 'dry-run' ? ' (nothing is enforced: decisions go to the dry-run twins)' : ''}`,
    `circuit breaker: ${s.circuit_open ? 'OPEN: enforcement is alert-only' : 'closed'}`,
    `live blocks:     ${s.live_blocks}`,
    `open incidents:  ${s.open_incidents ?? 'n/a (no incidents API on this server)'}`,
    `dead letters:    ${sum(s.dead_letters)}${sum(s.dead_letters) ? ` (${by(s.dead_letters)})` : ''}`,
    `refused:         ${sum(s.refused)}${sum(s.refused) ? ` (${by(s.refused)})` : ''}`,
    `history:         ${s.history ? `${s.history.findings} findings, ${s.history.decisions} decisions (at most ${s.history.capacity} each)` : 'none'}`,
    '',
  ];
  if (s.stages.length === 0) out.push('stages: none reported by this process');
  else columns([['STAGE', 'RECORDS IN', 'LAG', 'FAILED BATCHES'], ...s.stages.map((st) => [p(st.name), String(st.records_in), st.lag === null ? '-' : String(st.lag), String(st.failures)])]).forEach((l) => out.push(l));
  out.push(`(at ${s.at})`);
  return out;
}
