// Command-line parsing on node:util parseArgs (strict: declared options only, unknown flags and
// short flags are refused), plus what parseArgs leaves to us: numbers with their allowed range,
// `--help` everywhere, and messages that say what is allowed.
import { parseArgs as parseArgv } from 'node:util';
import { CallsentryError } from '../core/errors';

export interface NumberRange {
  /** smallest allowed value */
  min?: number;
  /** the value must be greater than min, not equal to it */
  exclusiveMin?: boolean;
  max?: number;
  integer?: boolean;
}

export interface OptionSpec {
  name: string;
  type: 'boolean' | 'string' | 'number';
  description: string;
  default?: string | number | boolean;
  /** may be given more than once (string only) */
  multiple?: boolean;
  /** numbers only: the range checked before the command starts */
  range?: NumberRange;
  /** a one-letter alias (`-o` for --output), as cscli has */
  short?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: OptionSpec[];
  examples?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
  help: boolean;
}

interface NodeError extends Error {
  code?: string;
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const declared: NonNullable<Parameters<typeof parseArgv>[0]>['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const o of spec.options) declared[o.name] = { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgv({ args: joinNegativeNumbers(spec, argv), options: declared, strict: true, allowPositionals: true });
  } catch (err) {
    throw usageError(spec, err as NodeError);
  }
  const options: ParsedArgs['options'] = {};
  for (const o of spec.options) {
    const given = parsed.values[o.name] as string | boolean | string[] | undefined;
    if (given === undefined) {
      if (o.default !== undefined) options[o.name] = o.default;
    } else options[o.name] = o.type === 'number' ? toNumber(o, given as string) : given;
  }
  return { positionals: parsed.positionals, options, help: parsed.values.help === true };
}

/** `--for -5` means the value -5 (parseArgs would call it ambiguous): checked by range, not refused as a flag. */
function joinNegativeNumbers(spec: CommandSpec, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const o = arg.startsWith('--') && spec.options.find((x) => `--${x.name}` === arg);
    const next = argv[i + 1];
    if (o && o.type === 'number' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function toNumber(o: OptionSpec, text: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new CallsentryError('USAGE', `option --${o.name} takes a number, got '${text}'`);
  const r = o.range;
  if (!r) return n;
  const tooSmall = r.min !== undefined && (r.exclusiveMin ? n <= r.min : n < r.min);
  if (tooSmall || (r.max !== undefined && n > r.max) || (r.integer && !Number.isInteger(n))) {
    throw new CallsentryError('USAGE', `option --${o.name} must be ${describeRange(r)}, got ${text}`);
  }
  return n;
}

export function describeRange(r: NumberRange): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(r.exclusiveMin ? `greater than ${r.min}` : `at least ${r.min}`);
  if (r.max !== undefined) parts.push(`at most ${r.max}`);
  return `${r.integer ? 'a whole number' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

function usageError(spec: CommandSpec, err: NodeError): CallsentryError {
  const hint = `(see callsentry ${spec.name} --help)`;
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  const o = spec.options.find((x) => `--${x.name}` === flag);
  let message: string;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    message = `unknown option ${flag} for '${spec.name}' ${hint}; a file name starting with '-' goes after '--'`;
  } else if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && o?.type === 'boolean') {
    message = `option ${flag} is a switch and takes no value ${hint}`;
  } else if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && o && /ambiguous/.test(err.message)) {
    message = `option ${flag}: a value that starts with '-' is written ${flag}=VALUE ${hint}`;
  } else if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && o) {
    message = `option ${flag} needs a value ${hint}`;
  } else {
    message = `${err.message.split('\n')[0]} ${hint}`;
  }
  return new CallsentryError('USAGE', message, { cause: err });
}

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (spec.options.length) {
    lines.push('', 'Options:');
    for (const o of spec.options) {
      const flag = `${o.short ? `-${o.short}, ` : ''}${o.type === 'boolean' ? `--${o.name}` : `--${o.name} <${o.type === 'number' ? 'n' : 'value'}>`}`;
      const dflt = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
      const range = o.range ? ` (${describeRange(o.range)})` : '';
      lines.push(`  ${flag.padEnd(28)} ${o.description}${range}${dflt}`);
    }
  }
  lines.push(`  ${'--help, -h'.padEnd(28)} show this help`);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
