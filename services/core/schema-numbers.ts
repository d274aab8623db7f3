// Every number in a configuration schema is bounded: YAML reads 1e400 as Infinity and 1e308 as a
// valid double, and either one breaks what it feeds (a flood threshold that never fires, a block
// expiry no Date can hold). These helpers list the bounds (for the docs and their test) and give a
// default bound to the numbers of a schema that state none (the detectors' count thresholds).
type Schema = Record<string, unknown>;

export interface NumberLimit {
  key: string;
  integer: boolean;
  min?: number;
  exclusiveMin?: number;
  max?: number;
}

function isNumberSchema(s: Schema): boolean {
  return s.type === 'number' || s.type === 'integer';
}

/** Every number of a schema with its bounds, keyed as in the docs (`a.b`, `a.<name>`, `a[]`). */
export function numberLimits(schema: Schema, key = ''): NumberLimit[] {
  const out: NumberLimit[] = [];
  if (isNumberSchema(schema)) {
    out.push({
      key,
      integer: schema.type === 'integer',
      ...(schema.minimum !== undefined ? { min: schema.minimum as number } : {}),
      ...(schema.exclusiveMinimum !== undefined ? { exclusiveMin: schema.exclusiveMinimum as number } : {}),
      ...(schema.maximum !== undefined ? { max: schema.maximum as number } : {}),
    });
  }
  const join = (k: string) => (key ? `${key}.${k}` : k);
  for (const [k, v] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) out.push(...numberLimits(v, join(k)));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(...numberLimits(schema.additionalProperties as Schema, join('<name>')));
  if (schema.items && typeof schema.items === 'object') out.push(...numberLimits(schema.items as Schema, `${key}[]`));
  for (const branch of (schema.anyOf as Schema[] | undefined) ?? []) out.push(...numberLimits(branch, key));
  return out;
}

/** A copy of `schema` in which every number without a maximum gets `maximum`. */
export function withDefaultMaximum<T>(schema: T, maximum: number): T {
  if (Array.isArray(schema)) return schema.map((s) => withDefaultMaximum(s, maximum)) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) out[k] = k === 'enum' || k === 'default' ? v : withDefaultMaximum(v, maximum);
  if (isNumberSchema(out) && out.maximum === undefined && out.exclusiveMaximum === undefined) out.maximum = maximum;
  return out as T;
}

/** A limit as docs/configuration.md states it: "whole number from 1 to 1024". */
export function limitText(l: NumberLimit): string {
  const kind = l.integer ? 'whole number' : 'number';
  if (l.min !== undefined && l.max !== undefined) return `${kind} from ${l.min} to ${l.max}`;
  const parts = [l.exclusiveMin !== undefined ? `greater than ${l.exclusiveMin}` : l.min !== undefined ? `at least ${l.min}` : '', l.max !== undefined ? `at most ${l.max}` : ''];
  return [kind, parts.filter(Boolean).join(', ')].filter(Boolean).join(' ');
}
