// HOST:PORT of a verdict interface, and whether it is loopback: without a token the service
// listens on loopback only.
import { ipFamily } from '../core/cidr';
import { CallsentryError } from '../core/errors';

export function splitListen(key: string, listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new CallsentryError('BAD_CONFIG', `${key} must be HOST:PORT, got ${listen}`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (ipFamily(host) === 4) return host.startsWith('127.');
  return host === '::1' || host.toLowerCase() === '::ffff:127.0.0.1';
}

/** Refuses a listen address beyond loopback when there is no token to protect it. */
export function checkExposure(key: string, host: string, token: string | undefined, tokenEnv: string): void {
  if (!token && !isLoopback(host)) {
    throw new CallsentryError('BAD_CONFIG', `${key} ${host} is not a loopback address: set a bearer token in the variable ${tokenEnv} (16 characters or more), or listen on 127.0.0.1`);
  }
}
