// `callsentry evaluate CAPTURE LABELS`: replay a labelled lab recording and say, per attack,
// whether it was detected, by what, with which key and how fast; every finding that matches no
// attack; and every block decision against an address that must never be blocked.
import { readFileSync } from 'node:fs';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { printable } from '../core/printable';
import { createJsonLogger } from '../adapters/log/json-logger';
import { parseLabels } from '../evaluation/labels';
import { score, type Score } from '../evaluation/score';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';
import { replayFiles } from './replay-pipeline';

export const spec: CommandSpec = {
  name: 'evaluate',
  summary: 'Replay a labelled capture and score detection against its ground truth (detected, by what, how fast; false positives; forbidden blocks).',
  usage: 'callsentry evaluate [options] CAPTURE LABELS',
  description:
    'LABELS is a JSON file in the format of ../shared/data/lab-dev/labels.json (events with source_ip, account, start, end, expected_block; ' +
    'an address_plan whose PBX, carrier and legit users must never be blocked). Exits 0 when every attack is detected within --within ' +
    'seconds and no protected address gets a block; 1 otherwise.',
  options: [
    CONFIG_OPTION,
    { name: 'within', type: 'number', description: 'seconds after an attack starts by which it must be detected', default: 10, range: { min: 0, exclusiveMin: true, max: 86_400 } },
    { name: 'json', type: 'boolean', description: 'print the score as one JSON object' },
  ],
  examples: ['callsentry evaluate ../shared/data/lab-dev/pbx.pcap ../shared/data/lab-dev/labels.json'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [capture, labelsFile] = args.positionals;
  if (!capture || !labelsFile || args.positionals.length > 2) throw new CallsentryError('USAGE', 'evaluate needs CAPTURE and LABELS (see callsentry evaluate --help)');
  let labelsText: string;
  try {
    labelsText = readFileSync(labelsFile, 'utf8');
  } catch (err) {
    throw new CallsentryError('USAGE', `cannot read ${labelsFile}: ${(err as Error).message}`);
  }
  const labels = parseLabels(labelsText, labelsFile);
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const r = await replayFiles([capture], cfg, io, { log: createJsonLogger({ level: 'error', write: io.err }) });
  const s = score(labels, r.findings, r.decisions);
  const within = Number(args.options.within);
  const late = s.events.filter((e) => !e.detected || (e.first?.latencySeconds ?? Infinity) > within);
  if (args.options.json) io.out(JSON.stringify({ ...s, within_seconds: within, passed: late.length === 0 && s.forbiddenBlocks.length === 0 }));
  else for (const line of report(s, within)) io.out(line);
  return late.length === 0 && s.forbiddenBlocks.length === 0 ? 0 : 1;
}

function report(s: Score, within: number): string[] {
  const out = ['attack                  kind            detected  first detector              key                        after    blocked'];
  for (const e of s.events) {
    const ok = e.detected && e.first!.latencySeconds <= within ? 'yes' : e.detected ? 'LATE' : 'NO';
    out.push(
      `${e.id.padEnd(23)} ${e.kind.padEnd(15)} ${ok.padEnd(9)} ${(e.first?.detector ?? '-').padEnd(27)} ${printable(e.first?.key ?? '-').padEnd(26)} ` +
        `${e.first ? `${e.first.latencySeconds.toFixed(1)} s` : '-'}`.padEnd(8) +
        ` ${e.blocked.join(', ') || '-'}${!e.expectBlock && e.blocked.length ? '  (must NOT be blocked)' : ''}`,
    );
  }
  out.push('', `findings matching no labelled attack: ${s.unmatchedFindings.length}`);
  for (const f of s.unmatchedFindings) out.push(`  ${f['@timestamp']}  ${f.rule.id}  ${f.key.type}=${printable(f.key.value)}  ${printable(f.rule.description ?? '')}`);
  out.push(`block decisions against protected addresses: ${s.forbiddenBlocks.length}`);
  for (const b of s.forbiddenBlocks) out.push(`  ${b.decision['@timestamp']}  ${b.decision.origin.id}  block ${printable(b.decision.target.value)}: ${printable(b.why)}`);
  return out;
}
