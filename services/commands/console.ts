// `callsentry console`: the NOC console as its own process (production): it reads the topics over
// the configured bus and acts through the enforcer's operator API. `callsentry console
// hash-password` makes a password hash for console.users.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { hashPassword } from '../console/password';
import { serveConsole } from '../console/serve-console';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { serveMetrics } from '../runtime/serve-metrics';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const spec: CommandSpec = {
  name: 'console',
  summary: 'Serve the NOC console (live findings, decisions, blocks, flow search, health) on console.listen; `console hash-password` hashes a password for console.users.',
  usage: 'callsentry console [options] | callsentry console hash-password < password.txt',
  description:
    'Reads flows.sip.v1, findings.v1, decisions.outcomes.v1 (each decision with its outcome) and audit.v1 with a consumer group of its own, and acts (unblock, extend, block or suspend, allowlist, acknowledge) through the enforcer\'s operator API ' +
    '(console.operator_api, or api.listen; token from api.token_env). With no console.users a one-time admin password is printed once on stderr. ' +
    'hash-password reads the password from stdin (asks for it, without echo, on a terminal) and prints a scrypt hash for console.users[].password_hash.',
  options: [CONFIG_OPTION],
  examples: ['CALLSENTRY_KAFKA_BROKERS=127.0.0.1:9092 callsentry console --config callsentry.yaml', 'callsentry console hash-password'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  const [verb, ...extra] = args.positionals;
  if (verb === 'hash-password' && extra.length === 0) {
    const password = await readPassword(io);
    if (password.length < 12) throw new CallsentryError('USAGE', 'a console password needs at least 12 characters');
    io.out(await hashPassword(password));
    return 0;
  }
  if (verb !== undefined) throw new CallsentryError('USAGE', `usage: ${spec.usage}`);
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  if (!cfg.console.listen) throw new CallsentryError('USAGE', 'console.listen is off in the configuration (or CALLSENTRY_CONSOLE_LISTEN=off)');
  const rt = createRuntime(cfg);
  await ensureTopics(rt);
  const noc = (await serveConsole(rt, { env: io.env, announce: io.err }))!;
  const metrics = await serveMetrics(rt, 'console');
  rt.log.info({ url: noc.url, bus: cfg.bus.kind }, 'console running');
  await io.stopSignal;
  await metrics?.close();
  await noc.close();
  await rt.bus.close();
  return 0;
}

async function readPassword(io: CommandIo): Promise<string> {
  const tty = (io.stdin as { isTTY?: boolean }).isTTY;
  if (!tty) {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  // on a terminal: ask twice, echoing nothing
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      const rl = createInterface({ input: io.stdin, output: new Writable({ write: (_c, _e, cb) => cb() }), terminal: true });
      rl.question('', (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('password: ');
  if ((await ask('again: ')) !== first) throw new CallsentryError('USAGE', 'the passwords differ');
  return first;
}
