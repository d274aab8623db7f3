// `callsentry evaluate CAPTURE LABELS`: replay a labelled lab recording and say, per attack,
// whether it was detected, by what, with which key and how fast; every finding that matches no
// attack; and every block decision against an address that must never be blocked.
// `callsentry evaluate DIR`: the same for every labelled capture of a directory, each replayed on its
// own, then per family of attack: recall, time to detect, false findings per benign hour, innocent blocks.
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
import { evaluateDirectory, isDirectory } from './evaluate-directory';

function runDirectory(dir: string, args: ParsedArgs, output: string, io: CommandIo): Promise<number> {
  return evaluateDirectory(dir, loadConfig(args.options.config as string | undefined, io.env), Number(args.options.within), output as 'table' | 'json', io);
}

export const spec: CommandSpec = {
  name: 'evaluate',
  summary: 'Replay labelled captures (one, or a directory) and score detection against their ground truth: per attack and per family, recall, time to detect, false findings, innocent blocks.',
  usage: 'callsentry evaluate [options] CAPTURE LABELS | callsentry evaluate [options] DIR',
  description:
    'LABELS is a JSON file in the format of ../shared/data/lab-dev/labels.json (events with source_ip, account, start, end, expected_block; ' +
    'an address_plan whose PBX, carrier and legit users must never be blocked). An event may also name its family (dos, recon, credential, fraud, ...), ' +
    'the detectors that must find it and the key they must find it by ("key": {"type": "cidr", "value": "203.0.113.0/24"}); otherwise its kind decides. ' +
    'DIR holds captures X.pcap, X.pcapng or X.ndjson, each with X.labels.json beside it; a capture without a labels file is benign traffic, ' +
    'where every finding is false. Each capture is replayed on its own, then the attacks are summed per family: recall, median and worst time to detect, ' +
    'false findings per hour of benign traffic (the time no labelled attack was under way), and innocent blocks (a block or suspension of a protected ' +
    'address, or one that only false findings asked for). Exits 0 when every attack is detected within --within seconds and nothing innocent is blocked; 1 otherwise.',
  options: [
    CONFIG_OPTION,
    { name: 'within', type: 'number', description: 'seconds after an attack starts by which it must be detected', default: 10, range: { min: 0, exclusiveMin: true, max: 86_400 } },
    { name: 'output', type: 'string', description: 'table or json', default: 'table' },
    { name: 'json', type: 'boolean', description: 'the same as --output json' },
  ],
  examples: ['callsentry evaluate ../shared/data/lab-dev/pbx.pcap ../shared/data/lab-dev/labels.json', 'callsentry evaluate --within 60 test/scenarios/dev'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const output = args.options.json ? 'json' : String(args.options.output);
  if (output !== 'table' && output !== 'json') throw new CallsentryError('USAGE', `--output ${output}: expected table or json`);
  const [capture, labelsFile] = args.positionals;
  if (capture && args.positionals.length === 1 && isDirectory(capture)) return runDirectory(capture, args, output, io);
  if (!capture || !labelsFile || args.positionals.length > 2) throw new CallsentryError('USAGE', 'evaluate needs CAPTURE and LABELS, or a DIR of labelled captures (see callsentry evaluate --help)');
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
  if (output === 'json') io.out(JSON.stringify({ ...s, within_seconds: within, passed: late.length === 0 && s.forbiddenBlocks.length === 0 }));
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
