import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_SCHEMA, DEFAULT_CONFIG, parseConfig } from './config';

/** Every leaf key path the schema allows ("bus.kafka.brokers"); maps of ids show as "<id>". */
function schemaPaths(schema: any, prefix = ''): string[] {
  const objects = [schema, ...(schema.anyOf ?? [])].filter((s) => s.properties);
  if (objects.length === 0) return schema.additionalProperties && schema.type === 'object' ? [`${prefix}<id>`] : [prefix.slice(0, -1)];
  const own = schema.anyOf && schema.anyOf.some((s: any) => !s.properties) ? [prefix.slice(0, -1)] : [];
  return [...own, ...objects.flatMap((o) => Object.entries(o.properties).flatMap(([k, v]) => schemaPaths(v, `${prefix}${k}.`)))];
}

describe('configuration', () => {
  it('an empty file is the embedded default', () => {
    expect(parseConfig('')).toEqual(DEFAULT_CONFIG);
  });

  it('overlays given keys on the defaults', () => {
    const cfg = parseConfig('bus:\n  kind: kafka\n  kafka:\n    brokers: [k1:9092, k2:9092]\ndecisions:\n  mode: enforce\n');
    expect(cfg.bus.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(cfg.bus.kafka.client_id).toBe('callsentry');
    expect(cfg.decisions).toEqual({ ...DEFAULT_CONFIG.decisions, mode: 'enforce' });
  });

  it.each([
    ['an unknown key', 'bus:\n  knd: kafka\n', /bus\.knd: unknown key \(allowed here: kind, topic_prefix, /],
    ['a wrong type', 'bus:\n  partitions: many\n', /bus\.partitions: "many" is not allowed; expected a whole number from 1 to 1024/],
    ['a bad broker address', 'bus:\n  kafka:\n    brokers: ["kafka one"]\n', /bus\.kafka\.brokers\[0\]: "kafka one" is not allowed; expected text matching/],
    ['a secret in the file', 'bus:\n  kafka:\n    sasl: { mechanism: plain, username: u, password: p }\n', /bus\.kafka\.sasl\.password: unknown key/],
    ['broken YAML', 'bus: [\n', /not valid YAML/],
  ])('rejects %s, naming it', (_what, text, why) => {
    expect(() => parseConfig(text, 'test.yaml')).toThrow(why);
  });

  it('documents every key in docs/configuration.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z0-9_.<>]+)` \|/gm)].map((m) => m[1]);
    const keys = schemaPaths(CONFIG_SCHEMA);
    expect(keys).toContain('bus.kafka.sasl.password_env');
    for (const k of keys) expect(documented).toContain(k);
    for (const d of documented.filter((k) => k.includes('.') && !k.startsWith('thresholds'))) expect(keys).toContain(d);
  });
});
