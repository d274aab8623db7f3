// A small, strict command-line parser: declared options only, `--help` everywhere, clear errors.
import { CallsentryError } from '../core/errors';

export interface OptionSpec {
  name: string;
  type: 'boolean' | 'string' | 'number';
  description: string;
  default?: string | number | boolean;
  /** may be given more than once (string only) */
  multiple?: boolean;
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

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  for (const o of spec.options) if (o.default !== undefined) options[o.name] = o.default;
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const o = spec.options.find((x) => x.name === name);
    if (!o) throw new CallsentryError('USAGE', `unknown option --${name} for '${spec.name}' (see callsentry ${spec.name} --help)`);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (o.type === 'boolean') {
      options[o.name] = value === undefined ? true : !/^(false|0|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new CallsentryError('USAGE', `option --${name} needs a value`);
    }
    if (o.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new CallsentryError('USAGE', `option --${name} takes a number, got '${value}'`);
      options[o.name] = n;
    } else if (o.multiple) {
      const prev = options[o.name];
      options[o.name] = [...(Array.isArray(prev) ? prev : []), value];
    } else options[o.name] = value;
  }
  return { positionals, options, help };
}

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (spec.options.length) {
    lines.push('', 'Options:');
    for (const o of spec.options) {
      const flag = o.type === 'boolean' ? `--${o.name}` : `--${o.name} <${o.type === 'number' ? 'n' : 'value'}>`;
      const dflt = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
      lines.push(`  ${flag.padEnd(28)} ${o.description}${dflt}`);
    }
  }
  lines.push(`  ${'--help'.padEnd(28)} show this help`);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
