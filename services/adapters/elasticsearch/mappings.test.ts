// Every field a record may carry has a mapping, and every mapping is a field some record carries:
// with `dynamic: strict` a missing mapping would dead-letter valid records.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IndexKind } from '../../core/ports';
import { mappingFor } from './mappings';
import { INDEX_KINDS } from './index-names';

const SCHEMAS: Record<IndexKind, string[]> = {
  'flows-sip': ['sip-flow.v1.json', 'sip-malformed.v1.json'],
  'flows-media': ['media-flow.v1.json'],
  findings: ['finding.v1.json'],
  decisions: ['decision.v1.json'],
  audit: ['audit-entry.v1.json'],
};

const load = (file: string) => JSON.parse(readFileSync(path.resolve(__dirname, '../../core/schemas', file), 'utf8'));
const common = load('common.v1.json');

function resolve(s: any): any {
  if (s.$ref) return resolve(common.definitions[s.$ref.split('/').pop()]);
  if (s.type === 'array' && s.items) return resolve(s.items);
  return s;
}

/** Leaf field paths of a schema; open maps (additionalProperties: schema) end in ".*". */
function schemaFields(s: any, prefix = ''): string[] {
  s = resolve(s);
  const own = Object.entries(s.properties ?? {}).flatMap(([k, v]) => schemaFields(v, `${prefix}${k}.`));
  const open = typeof s.additionalProperties === 'object' ? [`${prefix}*`] : [];
  return own.length || open.length ? [...own, ...open] : [prefix.slice(0, -1)];
}

function mappingFields(props: Record<string, any>, prefix = ''): string[] {
  return Object.entries(props).flatMap(([k, v]) => {
    const inner = v.properties ? mappingFields(v.properties, `${prefix}${k}.`) : [];
    // an open map: `dynamic` objects and `flattened` fields (one field holding every key)
    if (v.dynamic === true) return [...inner, `${prefix}${k}.*`];
    if (v.type === 'flattened') return [`${prefix}${k}.*`];
    return v.properties ? inner : [`${prefix}${k}`];
  });
}

/** Fields the indexer derives (services/indexer/enrich.ts): mapped, though no record schema has them. */
const DERIVED: Partial<Record<IndexKind, string[]>> = { 'flows-sip': ['sip.charged_account'] };

describe.each(INDEX_KINDS.map((k) => [k]))('mapping of %s', (kind) => {
  const mapping = mappingFor(kind as IndexKind) as { properties: Record<string, unknown>; dynamic: string };
  const fromSchemas = new Set([...SCHEMAS[kind as IndexKind].flatMap((f) => schemaFields(load(f))), ...(DERIVED[kind as IndexKind] ?? [])]);
  const mapped = new Set(mappingFields(mapping.properties));

  it('maps every field of its records, and nothing else', () => {
    expect(fromSchemas.size).toBeGreaterThan(8);
    expect([...fromSchemas].filter((f) => !mapped.has(f))).toEqual([]);
    expect([...mapped].filter((f) => !fromSchemas.has(f))).toEqual([]);
  });

  it('is strict, with @timestamp a date and addresses of type ip', () => {
    expect(mapping.dynamic).toBe('strict');
    if (fromSchemas.has('@timestamp')) expect(mapping.properties['@timestamp']).toEqual({ type: 'date' });
    for (const side of ['source', 'destination']) {
      const p = mapping.properties[side] as { properties: { ip: unknown } } | undefined;
      if (p) expect(p.properties.ip).toEqual({ type: 'ip' });
    }
  });
});
