#!/usr/bin/env node
// `callsentry <command>`: one entry point for every stage and tool.
import { helpText, parseArgs, type CommandSpec, type ParsedArgs } from './cli/args';
import { CallsentryError } from './core/errors';
import { processIo, type CommandIo } from './commands/io';
import * as replay from './commands/replay';
import * as start from './commands/start';
import * as collector from './commands/collector';
import * as evaluate from './commands/evaluate';
import * as dashboards from './commands/dashboards';
import * as consoleCommand from './commands/console';
import * as audit from './commands/audit';
import * as indexCommand from './commands/index-command';
import { stageRunner, stageSpec } from './commands/stage';
import { configSpec, generateSpec, runConfig, runGenerate, runTopics, topicsSpec } from './commands/admin';
import { allowlistSpec, blocksSpec, runAllowlist, runBlocks } from './commands/operator';
import { findingsSpec, runFindings } from './commands/findings';
import { decisionsSpec, runDecisions } from './commands/decisions';
import { runStatus, statusSpec } from './commands/status';
import { versionText } from './cli/version';

interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

export const COMMANDS: Command[] = [
  start,
  replay,
  evaluate,
  collector,
  { spec: stageSpec('detect'), run: stageRunner('detect') },
  { spec: stageSpec('enforce'), run: stageRunner('enforce') },
  { spec: stageSpec('alert'), run: stageRunner('alert') },
  { spec: stageSpec('print'), run: stageRunner('print') },
  audit,
  { spec: blocksSpec, run: runBlocks },
  { spec: allowlistSpec, run: runAllowlist },
  { spec: findingsSpec, run: runFindings },
  { spec: decisionsSpec, run: runDecisions },
  { spec: statusSpec, run: runStatus },
  consoleCommand,
  dashboards,
  indexCommand,
  { spec: topicsSpec, run: runTopics },
  { spec: configSpec, run: runConfig },
  { spec: generateSpec, run: runGenerate },
];

export function mainHelp(): string {
  return [
    'Usage: callsentry <command> [options]',
    '',
    'Security monitoring for voice and video clouds: SIP and media flows in, detections, enforcement and audit out.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(12)} ${c.spec.summary}`),
    '',
    "Run 'callsentry <command> --help' for a command's options; 'callsentry --version' (-V) for the version.",
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(versionText());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.spec.name === name);
  if (!cmd) {
    io.err(`callsentry: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseArgs(cmd.spec, rest);
    if (args.help) {
      io.out(helpText(cmd.spec));
      return 0;
    }
    return await cmd.run(args, io);
  } catch (err) {
    if (err instanceof CallsentryError) {
      io.err(`callsentry ${name}: ${err.message}${err.code === 'USAGE' ? '' : ` [${err.code}]`}`);
      return err.code === 'USAGE' ? 2 : 1;
    }
    io.err(`callsentry ${name}: unexpected error: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  const io = processIo();
  // the reader of a pipe went away (`callsentry generate | head`): nothing more can be said
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  // stages and clients may hold timers, so a finished command ends the process, but only once
  // stdout and stderr have drained: a pipe still holds what was written
  const exit = (code: number) => void io.drained!().then(() => process.exit(code));
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      exit(code);
    },
    (err) => {
      process.stderr.write(String(err) + '\n');
      exit(1);
    },
  );
}
