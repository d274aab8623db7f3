// `callsentry replay FILE...`: every record through every detector and the enforcer (dry-run)
// on the embedded bus; prints each finding and decision, then a summary; exits 0.
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { printable } from '../core/printable';
import { createJsonLogger } from '../adapters/log/json-logger';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';
import { replayFiles } from './replay-pipeline';

export const spec: CommandSpec = {
  name: 'replay',
  summary: 'Replay captures (pcap, pcapng) or flow records (NDJSON, "-" for stdin) through all detectors and the enforcer in dry-run; print findings and decisions.',
  usage: 'callsentry replay [options] FILE...',
  description:
    'Runs on the embedded bus whatever the configuration says about the bus, in event time: a replay of yesterday detects what live traffic would have. ' +
    'A file is read as a capture when it starts with a pcap or pcapng magic number (Ethernet, Linux cooked, raw IP; IPv4/IPv6; UDP, TCP with reassembly, SCTP, WebSocket), as NDJSON when its first non-blank character opens a JSON object; anything else (an empty file, an image, a Zeek log) is refused before the replay starts. ' +
    'Output: one line per finding and decision (with --json, one JSON object per line; format in README). A summary goes to stderr. ' +
    'Bad lines are counted and dead-lettered; the replay goes on.',
  options: [
    CONFIG_OPTION,
    { name: 'json', type: 'boolean', description: 'one JSON object per line on stdout' },
    { name: 'quiet', type: 'boolean', description: 'no summary on stderr' },
    { name: 'log-level', type: 'string', description: 'log level on stderr: debug, info, warn, error', default: 'warn' },
  ],
  examples: ['callsentry replay capture.pcap', 'callsentry replay docs/examples/invite-flood.ndjson', 'callsentry replay --json flows.ndjson | jq .', 'zcat flows.ndjson.gz | callsentry replay -'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.positionals.length === 0) throw new CallsentryError('USAGE', 'replay needs at least one FILE (or - for stdin); see callsentry replay --help');
  const level = String(args.options['log-level']) as 'debug' | 'info' | 'warn' | 'error';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new CallsentryError('USAGE', `--log-level must be one of debug, info, warn, error; got '${level}'`);
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const r = await replayFiles(args.positionals, cfg, io, { log: createJsonLogger({ level, write: io.err }), print: { json: Boolean(args.options.json), write: io.out } });
  for (const d of r.damaged) io.err(`callsentry replay: ${d}`);
  if (!args.options.quiet) {
    for (const line of r.captures) io.err(line);
    const rejected = Object.entries(r.rejected).map(([code, n]) => `${code}=${n}`).join(' ') || 'none';
    // the findings correlated by attacker (docs/incidents.md), before the summary line, which stays last
    const incidents = r.incidents.filter((i) => !i.closed);
    io.err(`replay: ${incidents.length} incident(s)`);
    for (const i of incidents) io.err(`  incident ${i.id} ${i.severity} ${i.status}: ${printable(i.title)} (${i.finding_count} findings, ${i.decisions.length} decisions)`);
    io.err(
      `replay: ${r.lines} lines, ${r.captures.length} captures, ${r.accepted} records accepted (${r.sip} sip, ${r.media} media, ${r.malformed} malformed sip), ` +
        `rejected: ${rejected}, dead letters: ${r.deadLetters}${r.deadLettersKept < r.deadLetters ? ` (the embedded bus keeps the last ${r.deadLettersKept})` : ''}; ${r.findings.length} findings, ${r.decisions.length} decisions (${cfg.decisions.mode}); ` +
        `${r.seconds.toFixed(2)} s, ${Math.round(r.accepted / Math.max(r.seconds, 1e-9))} records/s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }
  // a capture that ended in damage was only partly replayed: say so in the exit code
  return r.damaged.length > 0 ? 1 : 0;
}
