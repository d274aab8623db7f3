// What every command that talks to the operator API shares: the client (URL from --api or
// api.listen, token from api.token_file or api.token_env), the person at the keyboard, the note
// every change carries, `-o table|json`, and one sentence for a decision and its outcome.
import { userInfo } from 'node:os';
import type { OptionSpec, ParsedArgs } from '../cli/args';
import { loadConfig } from '../cli/load-config';
import { CallsentryError } from '../core/errors';
import { printable as p } from '../core/printable';
import type { Decision } from '../core/records';
import { ApiClient, apiBaseUrl } from '../console/api-client';
import { clientApiToken } from '../console/api-token';
import { decisionLine } from '../printer/format';
import { CONFIG_OPTION } from './common-options';
import type { CommandIo } from './io';

export const API_OPTIONS: OptionSpec[] = [
  CONFIG_OPTION,
  { name: 'api', type: 'string', description: 'operator API URL or HOST:PORT; default: http:// + api.listen of the configuration' },
];

export const NOTE_OPTIONS: OptionSpec[] = [
  { name: 'why', type: 'string', description: 'why (required for changes)' },
  { name: 'ticket', type: 'string', description: 'ticket reference (required for changes)' },
];

export const OUTPUT_OPTION: OptionSpec = { name: 'output', short: 'o', type: 'string', description: 'table (for people) or json (for scripts: stable fields, one document)', default: 'table' };

export function outputOf(args: ParsedArgs): 'table' | 'json' {
  const o = String(args.options.output ?? 'table');
  if (o !== 'table' && o !== 'json') throw new CallsentryError('USAGE', `-o/--output takes table or json, got '${o}'`);
  return o;
}

export function client(args: ParsedArgs, io: CommandIo): ApiClient {
  const cfg = loadConfig(args.options.config as string | undefined, io.env);
  const given = args.options.api as string | undefined;
  if (given === undefined && !cfg.api.listen) throw new CallsentryError('USAGE', 'api.listen is off in the configuration: pass --api URL');
  return new ApiClient(apiBaseUrl(given ?? cfg.api.listen!), clientApiToken(cfg, io.env));
}

/** The person at the keyboard: the login name (under sudo, the one who ran sudo). */
export function person(env: NodeJS.ProcessEnv): string {
  return (env.SUDO_USER || userInfo().username).replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 64) || 'unknown';
}

export function note(args: ParsedArgs): { why: string; ticket: string } {
  const why = args.options.why as string | undefined;
  const ticket = args.options.ticket as string | undefined;
  if (!why || !ticket) throw new CallsentryError('USAGE', 'every change needs --why TEXT and --ticket REF (they go to the audit trail)');
  return { why, ticket };
}

/**
 * A decision as the API answered it: with its outcome (dry-run, applied, refused(allowlist) ...,
 * the action and ttl applied, why) or, when the enforcer has not said within the wait, as requested.
 */
export function decisionSentence(d: Decision): string {
  const l = decisionLine(d);
  const what = `${p(l.action_applied)} ${p(l.target.type)}=${p(l.target.value)} at ${p(l.scope)}`;
  if (!l.outcome) return `requested ${what}; the enforcer has not reported the outcome yet (callsentry decisions list --target ${p(l.target.value)})`;
  const ttl = l.ttl_applied_seconds ? ` for ${l.ttl_applied_seconds}s` : '';
  const why = l.outcome_reason ? ` (${p(l.outcome_reason)})` : '';
  return `${p(l.status)} ${what}${ttl}${why}`;
}

/** Is the outcome a failure the exit code must show? refused, alert-only, failed. */
export function notApplied(d: Decision): boolean {
  return d.outcome !== undefined && ['refused', 'alert-only', 'failed'].includes(d.outcome.result);
}
