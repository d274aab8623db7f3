// A verdict request's body, checked field by field: every refusal names the field and what is allowed.
import { ipFamily } from '../core/cidr';
import type { CallQuery } from './verdict';

export class BadQuery extends Error {}

const FIELDS = ['source_ip', 'account', 'tenant', 'from', 'to', 'call_id'] as const;
type Field = (typeof FIELDS)[number];
const KNOWN = new Set<string>(FIELDS);
const MAX_FIELD = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function parseQuery(body: unknown): CallQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadQuery('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k in b) if (!KNOWN.has(k)) throw new BadQuery(unknownFields(b));
  const source_ip = field(b, 'source_ip', true)!;
  if (!ipFamily(source_ip)) throw new BadQuery('source_ip must be an IPv4 or IPv6 address');
  const q: CallQuery = { source_ip, from: field(b, 'from', true)!, to: field(b, 'to', true)!, call_id: field(b, 'call_id', true)! };
  const account = field(b, 'account', false);
  const tenant = field(b, 'tenant', false);
  if (account) q.account = account;
  if (tenant) q.tenant = tenant;
  return q;
}

function field(b: Record<string, unknown>, k: Field, required: boolean): string | undefined {
  const v = b[k];
  if (v === undefined || v === null) {
    if (required) throw new BadQuery(`${k} is required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new BadQuery(`${k} must be a string`);
  if (v.length === 0 || v.length > MAX_FIELD) throw new BadQuery(`${k} must be 1 to ${MAX_FIELD} characters`);
  if (CONTROL.test(v)) throw new BadQuery(`${k} must not hold control characters`);
  return v;
}

function unknownFields(b: Record<string, unknown>): string {
  const unknown = Object.keys(b).filter((k) => !KNOWN.has(k));
  return `unknown field ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}; allowed: ${FIELDS.join(', ')}`;
}
