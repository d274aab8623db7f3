// coturn prints addresses as `ip:port`, IPv6 as `[ip]:port`.
import { isIP } from 'node:net';
import type { Endpoint } from '../../core/records';

const BRACKETED = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/;
const PLAIN = /^([0-9.]+):(\d{1,5})$/;

export function parseEndpoint(text: string): Endpoint | undefined {
  const m = BRACKETED.exec(text) ?? PLAIN.exec(text);
  if (!m) return undefined;
  const ip = m[1] as string;
  const port = Number(m[2]);
  if (!isIP(ip) || port > 65535) return undefined;
  return { ip, port };
}
