// A verdict request's body, checked field by field: every refusal names the field and what is allowed.
import { isIP } from 'node:net';
import type { CallQuery } from './verdict';

export class BadQuery extends Error {}

const FIELDS = ['source_ip', 'account', 'tenant', 'from', 'to', 'call_id'] as const;
const MAX_FIELD = 256;

export function parseQuery(body: unknown): CallQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadQuery('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new BadQuery(`unknown field ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}; allowed: ${FIELDS.join(', ')}`);
  const str = (k: (typeof FIELDS)[number], required: boolean): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null) {
      if (required) throw new BadQuery(`${k} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw new BadQuery(`${k} must be a string`);
    if (v.length === 0 || v.length > MAX_FIELD) throw new BadQuery(`${k} must be 1 to ${MAX_FIELD} characters`);
    if (/[\u0000-\u001f\u007f]/.test(v)) throw new BadQuery(`${k} must not hold control characters`);
    return v;
  };
  const source_ip = str('source_ip', true)!;
  if (!isIP(source_ip)) throw new BadQuery('source_ip must be an IPv4 or IPv6 address');
  const q: CallQuery = { source_ip, from: str('from', true)!, to: str('to', true)!, call_id: str('call_id', true)! };
  const account = str('account', false);
  const tenant = str('tenant', false);
  if (account) q.account = account;
  if (tenant) q.tenant = tenant;
  return q;
}
