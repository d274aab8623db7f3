// Small administrative commands: topics, config check, synthetic data.
import { isIP } from 'node:net';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { activeDetectors } from '../detectors/registry';
import { benignDay } from '../collector/benign-day';
import { demoScenario, generate, type Attacker } from '../collector/synthetic';
import { createRuntime, ensureTopics } from '../runtime/runtime';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const topicsSpec: CommandSpec = {
  name: 'topics',
  summary: 'Create every topic of the pipeline (and its dead-letter topic) on the configured bus.',
  usage: 'callsentry topics [options]',
  options: [CONFIG_OPTION],
};

export async function runTopics(args: ParsedArgs, io: CommandIo): Promise<number> {
  const rt = createRuntime(loadConfig(args.options.config as string | undefined, io.env));
  await ensureTopics(rt);
  io.out(rt.topics.all().join('\n'));
  await rt.bus.close();
  return 0;
}

export const configSpec: CommandSpec = {
  name: 'config',
  summary: 'Validate a configuration file and print the effective configuration (defaults filled in) as JSON.',
  usage: 'callsentry config [options] [FILE]',
  options: [CONFIG_OPTION],
};

export async function runConfig(args: ParsedArgs, io: CommandIo): Promise<number> {
  const cfg = loadConfig((args.positionals[0] ?? args.options.config) as string | undefined, io.env);
  const detectors = Object.fromEntries(activeDetectors(cfg.detectors).map((a) => [a.detector.id, a.settings]));
  io.out(JSON.stringify({ ...cfg, detectors }, null, 2));
  return 0;
}

export const generateSpec: CommandSpec = {
  name: 'generate',
  summary: 'Write synthetic SIP flow records (NDJSON) with benign phones and optional floods, for demos and benchmarks; --benign-day for a provider\'s benign day.',
  usage: 'callsentry generate [options] > flows.ndjson',
  description:
    'Records come in event-time order, generated as they are written (memory does not grow with --seconds or --hours). ' +
    '--benign-day writes a benign day of a provider (the false-positive budget of issue 15): --phones phones (default 2000) over --hours hours, ' +
    'with two offices of 200 phones behind one NAT address each, a call centre behind one address dialling hundreds of distinct outside numbers an hour, ' +
    'one phone in 200 with a stale password retrying every 60 s, international callers dialling +, 00, 011 and 9011, re-registrations every 60-3600 s ' +
    '(REGISTER -> 401 -> REGISTER with credentials -> 200), calls (INVITE -> 407 -> INVITE with credentials -> 200/486/480/487, ACK, BYE), inbound calls from ' +
    'peered carriers, OPTIONS keep-alives from carriers and customer SBCs, and an outage at 05:50 (or a quarter into a shorter run) after which every phone ' +
    're-registers within 3 minutes. Addresses: the provider 192.0.2.10-11, NAT offices 203.0.113.10 and .20, the call centre 203.0.113.30, ' +
    'carriers 198.19.0.1-2, customer SBCs 198.19.1.1-2, other phones 198.51.100.0/24 and 100.64.0.0/10. None of it is an attack: every finding on it is a false positive.',
  options: [
    { name: 'seconds', type: 'number', description: 'length of the traffic in event time', default: 60, range: { min: 1, max: 604_800, integer: true } },
    { name: 'phones', type: 'number', description: 'benign phones (default 20; 2000 with --benign-day)', range: { min: 0, max: 100_000, integer: true } },
    { name: 'start', type: 'string', description: 'ISO time of the first second', default: '2026-01-01T00:00:00Z' },
    { name: 'flood', type: 'string', multiple: true, description: 'IP:METHOD:RATE:START:DURATION, e.g. 203.0.113.9:INVITE:200:10:5 (repeatable)' },
    { name: 'demo', type: 'boolean', description: 'the demo scenario (an INVITE and a REGISTER flood)' },
    { name: 'benign-day', type: 'boolean', description: 'a benign day of a provider instead (see above): no attack, for the false-positive budget' },
    { name: 'hours', type: 'number', description: 'length of --benign-day in event time', default: 24, range: { min: 0.01, max: 168 } },
    { name: 'seed', type: 'number', description: 'random seed', default: 1, range: { min: 0, max: 2 ** 32 - 1, integer: true } },
  ],
  examples: [
    'callsentry generate --flood 203.0.113.9:INVITE:200:10:5 > docs/examples/invite-flood.ndjson',
    'callsentry generate --benign-day --phones 2000 --hours 24 --seed 1 | callsentry replay -',
  ],
};

export async function runGenerate(args: ParsedArgs, io: CommandIo): Promise<number> {
  const startMs = Date.parse(String(args.options.start));
  if (!Number.isFinite(startMs)) throw new CallsentryError('USAGE', '--start must be an ISO 8601 time');
  if (args.options['benign-day']) return writeBenignDay(args, startMs, io);
  const attackers: Attacker[] = ((args.options.flood as string[] | undefined) ?? []).map((spec) => {
    // the address may be IPv6, so the four numeric fields are taken from the end
    const parts = spec.split(':');
    const [method, rate, start, duration] = parts.slice(-4);
    const ip = parts.slice(0, -4).join(':').replace(/^\[(.*)\]$/, '$1');
    const expected = 'expected IP:INVITE|REGISTER|OPTIONS:RATE:START:DURATION, e.g. 203.0.113.9:INVITE:200:10:5';
    if (parts.length < 5 || !['INVITE', 'REGISTER', 'OPTIONS'].includes(method!) || [rate, start, duration].some((n) => !/^\d{1,6}$/.test(n ?? ''))) {
      throw new CallsentryError('USAGE', `--flood ${spec}: ${expected}`);
    }
    if (isIP(ip) === 0) throw new CallsentryError('USAGE', `--flood ${spec}: '${ip}' is not an IPv4 or IPv6 address (${expected})`);
    if (Number(rate) < 1) throw new CallsentryError('USAGE', `--flood ${spec}: the rate must be at least 1 request a second`);
    return { ip, method: method as Attacker['method'], ratePerSecond: Number(rate), startSecond: Number(start), durationSeconds: Number(duration) };
  });
  const scenario = args.options.demo
    ? { ...demoScenario(startMs, Number(args.options.seconds)), seed: Number(args.options.seed) }
    : { startMs, seconds: Number(args.options.seconds), phones: Number(args.options.phones ?? 20), callsPerMinute: 2, attackers, seed: Number(args.options.seed) };
  for (let sec = 0; sec < scenario.seconds; sec++) {
    for (const r of generate(scenario, sec, sec + 1)) io.out(JSON.stringify(r));
    // a second of traffic at a time, so a slow reader holds back the writer, not its memory
    await io.drained?.();
  }
  return 0;
}

async function writeBenignDay(args: ParsedArgs, startMs: number, io: CommandIo): Promise<number> {
  if (args.options.flood || args.options.demo) throw new CallsentryError('USAGE', '--benign-day has no attacks: it takes neither --flood nor --demo');
  const options = { startMs, hours: Number(args.options.hours), phones: Number(args.options.phones ?? 2000), seed: Number(args.options.seed) };
  let n = 0;
  for (const r of benignDay(options)) {
    io.out(JSON.stringify(r));
    // a few thousand records at a time, so a slow reader holds back the writer, not its memory
    if (++n % 4096 === 0) await io.drained?.();
  }
  // the process may exit once this returns: every line must be out by then
  await io.drained?.();
  return 0;
}
