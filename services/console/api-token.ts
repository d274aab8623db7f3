// The operator API's credential on this host: a random token made at the enforcer's first start and
// kept in a file only its owner may read (0600, in a directory only its owner may enter), like an
// SSH key. The commands and the console read it from there; a token in the environment (the
// variable named by api.token_env) takes its place when set, for hosts where the API is remote.
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { CallsentryConfig } from '../core/config';
import { CallsentryError } from '../core/errors';

/** The token file: CALLSENTRY_API_TOKEN_FILE, else api.token_file. */
export function apiTokenFile(cfg: CallsentryConfig, env: NodeJS.ProcessEnv): string {
  return env.CALLSENTRY_API_TOKEN_FILE || cfg.api.token_file;
}

/** The API's side: the token from the environment, else from the file, made there if missing. */
export function ensureApiToken(cfg: CallsentryConfig, env: NodeJS.ProcessEnv): string {
  const fromEnv = env[cfg.api.token_env];
  if (fromEnv) return checkedLength(fromEnv, `the variable ${cfg.api.token_env}`);
  const file = apiTokenFile(cfg, env);
  const token = readTokenFile(file);
  if (token !== undefined) return token;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const made = randomBytes(32).toString('base64url');
  let fd: number;
  try {
    // exclusive: two processes starting at once end up with one token, the first one's
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readTokenFile(file)!;
    throw new CallsentryError('BAD_CONFIG', `api.token_file: cannot create ${file}: ${(err as Error).message}`, { cause: err });
  }
  writeSync(fd, made + '\n');
  closeSync(fd);
  return made;
}

/** A client's side (commands, console): the token from the environment, else from the file; undefined when neither has one. */
export function clientApiToken(cfg: CallsentryConfig, env: NodeJS.ProcessEnv): string | undefined {
  return env[cfg.api.token_env] || readTokenFile(apiTokenFile(cfg, env));
}

function readTokenFile(file: string): string | undefined {
  let mode: number;
  let uid: number;
  try {
    ({ mode, uid } = statSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CallsentryError('BAD_CONFIG', `api.token_file: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  // a token others could read proves nothing about who sent it
  if ((mode & 0o077) !== 0) throw new CallsentryError('BAD_CONFIG', `api.token_file: ${file} may be read by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}`);
  if (process.getuid && uid !== process.getuid() && process.getuid() !== 0) throw new CallsentryError('BAD_CONFIG', `api.token_file: ${file} belongs to another user (uid ${uid})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new CallsentryError('BAD_CONFIG', `api.token_file: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return checkedLength(text, file);
}

function checkedLength(token: string, where: string): string {
  if (token.length < 16) throw new CallsentryError('BAD_CONFIG', `the operator API token in ${where} is shorter than 16 characters`);
  return token;
}
