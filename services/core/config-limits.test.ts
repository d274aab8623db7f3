// Numbers from YAML are bounded, and every refusal names the key, the value and what is allowed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DETECTORS, settingsSchema } from '../detectors/registry';
import { CONFIG_SCHEMA } from './config';
import { refusal } from './test-support/refusal';
import { limitText, numberLimits } from './schema-numbers';


describe('configuration numbers', () => {
  it('every number of the schema has a minimum and a maximum', () => {
    const limits = numberLimits(CONFIG_SCHEMA as never);
    expect(limits.length).toBeGreaterThan(30);
    for (const l of limits) expect([l.key, l.min ?? l.exclusiveMin, l.max]).toEqual([l.key, expect.any(Number), expect.any(Number)]);
  });

  it('every number of every detector setting has a maximum', () => {
    for (const d of DETECTORS) for (const l of numberLimits(settingsSchema(d) as never, d.id)) expect([l.key, l.max]).toEqual([l.key, expect.any(Number)]);
  });

  it.each([
    ['1e400 (Infinity)', 'bus:\n  partitions: 1e400\n', 'bus.partitions: Infinity is not allowed; expected a whole number from 1 to 1024'],
    ['.inf', 'alerting:\n  resend_seconds: .inf\n', 'alerting.resend_seconds: Infinity is not allowed; expected a whole number from 1 to 604800'],
    ['a block lifetime no date can hold', 'decisions:\n  block_ttl_seconds: 1e308\n', 'decisions.block_ttl_seconds: 1e+308 is not allowed; expected a whole number from 1 to 31536000'],
    ['a repeat offender lifetime past a year', 'enforcer:\n  guardrails:\n    repeat_offender:\n      max_ttl_seconds: 31536001\n', 'enforcer.guardrails.repeat_offender.max_ttl_seconds: 31536001 is not allowed'],
    ['a line limit below its minimum', 'collector:\n  max_line_bytes: 100\n', 'collector.max_line_bytes: 100 is not allowed; expected a whole number from 1024 to 16777216'],
  ])('refuses %s, naming key, value and range', (_what, text, message) => {
    expect(refusal(text)).toContain(message);
  });

  it('lists the allowed values of an enum', () => {
    expect(refusal('bus:\n  kind: kafak\n')).toContain('bus.kind: "kafak" is not allowed; expected one of "memory", "kafka"');
    expect(refusal('log:\n  level: loud\n')).toContain('log.level: "loud" is not allowed; expected one of "debug", "info", "warn", "error"');
  });

  it('says what an either-or key allows', () => {
    expect(refusal('api:\n  listen: 9470\n')).toContain('api.listen: 9470 is not allowed; expected null, or text matching');
  });

  it('refuses allowlist entries that are no address or CIDR, each by its place', () => {
    const message = refusal('enforcer:\n  allowlist: [10.0.0.0/8, 10.0.0.0/33, banana]\n');
    expect(message).toContain('enforcer.allowlist[1]: "10.0.0.0/33" is not allowed; expected an IPv4 or IPv6 address, or a CIDR with a prefix length from 0 to 32 (IPv4) or 0 to 128 (IPv6)');
    expect(message).toContain('enforcer.allowlist[2]: "banana" is not allowed');
    expect(message).not.toContain('allowlist[0]');
  });

  it('refuses what a stage would refuse at start: a route to a missing sink, half a TLS pair, a user twice', () => {
    expect(refusal('alerting:\n  routes:\n    - sinks: [pager]\n')).toContain('alerting.routes[0].sinks[0]: "pager" is not allowed; expected one of the configured sinks (none');
    expect(refusal('console:\n  tls:\n    cert_file: c.pem\n')).toContain('console.tls: {"cert_file":"c.pem"} is not allowed; expected both cert_file and key_file, or neither');
    expect(refusal('console:\n  users:\n    - { name: ana, role: admin, token_env: T }\n    - { name: ana, role: viewer, token_env: U }\n')).toContain('console.users[1].name: "ana" is listed twice');
  });

  it('docs/configuration.md states every limit of the schema', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Limits'), doc.indexOf('## Detector settings'));
    const documented = new Map([...section.matchAll(/^\| `([a-z0-9_.]+)` \| ([^|]+) \|$/gm)].map((m) => [m[1], m[2]!.trim()]));
    for (const l of numberLimits(CONFIG_SCHEMA as never)) expect([l.key, documented.get(l.key)]).toEqual([l.key, limitText(l)]);
  });
});
