// Schema refusals in words an operator can act on: each names the key, the value it was given and
// what is allowed there (the allowed values of an enum, the range of a number, the known keys).
import type { ErrorObject } from 'ajv';
import { printable } from './printable';

type Schema = Record<string, unknown>;

/** One message per offending key; `prefix` is the key of the validated value ('' for the root). */
export function describeSchemaErrors(errors: ErrorObject[] | null | undefined, prefix = ''): string[] {
  const byKey = new Map<string, ErrorObject>();
  for (const e of errors ?? []) {
    const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
    const key = joinKey(prefix, e.instancePath, extra);
    const seen = byKey.get(key);
    // of the errors at one key, the outermost rule (anyOf over its branches) says what is allowed
    if (!seen || e.schemaPath.split('/').length < seen.schemaPath.split('/').length) byKey.set(key, e);
  }
  return [...byKey].map(([key, e]) => describeOne(key, e));
}

function describeOne(key: string, e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    const known = Object.keys(((e.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
    return `${key}: unknown key${known.length ? ` (allowed here: ${known.join(', ')})` : ''}`;
  }
  if (e.keyword === 'required') return `${key}: missing; it is required here`;
  return `${key}: ${showValue(e.data)} is not allowed; expected ${allowed(e.parentSchema as Schema)}`;
}

/** What a schema allows, in words. */
export function allowed(schema: Schema | undefined): string {
  if (!schema) return 'a valid value';
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => showValue(v)).join(', ')}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map(allowed).join(', or ');
  switch (schema.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'true or false';
    case 'integer':
    case 'number':
      return `${schema.type === 'integer' ? 'a whole number' : 'a number'}${rangeText(schema)}`;
    case 'string': {
      const parts = [schema.pattern !== undefined ? `matching /${String(schema.pattern)}/` : '', lengthText(schema.minLength, schema.maxLength, 'characters')].filter(Boolean);
      return `text${parts.length ? ' ' + parts.join(', ') : ''}`;
    }
    case 'array': {
      const items = schema.items as Schema | undefined;
      const parts = [lengthText(schema.minItems, schema.maxItems, 'items'), schema.uniqueItems ? 'no item twice' : ''].filter(Boolean);
      return `a list${items ? ` of ${allowed(items)}` : ''}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
    case 'object':
      return 'a mapping of keys to values';
    default:
      return 'a valid value';
  }
}

function rangeText(s: Schema): string {
  const min = s.exclusiveMinimum !== undefined ? `greater than ${String(s.exclusiveMinimum)}` : s.minimum !== undefined ? `at least ${String(s.minimum)}` : '';
  const max = s.exclusiveMaximum !== undefined ? `less than ${String(s.exclusiveMaximum)}` : s.maximum !== undefined ? `at most ${String(s.maximum)}` : '';
  if (s.minimum !== undefined && s.maximum !== undefined) return ` from ${String(s.minimum)} to ${String(s.maximum)}`;
  return [min, max].filter(Boolean).map((t) => ` ${t}`).join(' and');
}

function lengthText(min: unknown, max: unknown, unit: string): string {
  if (min !== undefined && max !== undefined) return `${String(min)} to ${String(max)} ${unit}`;
  if (min !== undefined) return `at least ${String(min)} ${unit}`;
  if (max !== undefined) return `at most ${String(max)} ${unit}`;
  return '';
}

/** A value as the operator wrote it: numbers as numbers (YAML's 1e400 is Infinity), text quoted, short, no URL credentials. */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined) return 'nothing';
  // a URL's user:password@ is never echoed
  const text = (JSON.stringify(v) ?? String(v)).replace(/\/\/[^/@\s"]*@/g, '//***@');
  return printable(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** `/enforcer/allowlist/0` under `prefix` as `enforcer.allowlist[0]`. */
export function joinKey(prefix: string, pointer: string, last?: string): string {
  let key = prefix;
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (last !== undefined) parts.push(last);
  for (const p of parts) key = /^\d+$/.test(p) ? `${key}[${p}]` : key ? `${key}.${p}` : p;
  return key || '(the whole file)';
}
