import { systemClock } from '../core/clock';
import { DEFAULT_CONFIG, parseConfig } from '../core/config';
import { silentLogger } from '../core/ports';
import { DryRunActuator } from './dry-run/dry-run-actuator';
import { createActuators } from './factory';
import { NftablesActuator } from './nftables/nftables-actuator';

describe('createActuators', () => {
  it('gives the dry-run twin of every enforcement point while decisions are dry-run', () => {
    const cfg = parseConfig('enforcer:\n  actuators: [nftables]\n');
    const [a] = createActuators(cfg, silentLogger, systemClock);
    expect(a).toBeInstanceOf(DryRunActuator);
    expect(a.name).toBe('dry-run:nftables');
  });

  it('gives the real nftables actuator, for the firewall scope only, when decisions are enforced', () => {
    const cfg = parseConfig('decisions:\n  mode: enforce\nenforcer:\n  actuators: [nftables]\n  nftables: { table: edge, rate_limit_pps: 20 }\n');
    const [a] = createActuators(cfg, silentLogger, systemClock);
    expect(a).toBeInstanceOf(NftablesActuator);
    expect(a.scopes).toEqual(['firewall']);
  });

  it('refuses a table name nft would not take, at start', () => {
    expect(() => parseConfig('enforcer:\n  nftables: { table: "edge; flush ruleset" }\n')).toThrow(/enforcer\.nftables\.table: "edge; flush ruleset" is not allowed; expected text matching/);
    expect(createActuators(DEFAULT_CONFIG, silentLogger, systemClock).map((a) => a.name)).toEqual(['dry-run']);
  });
});

describe('createActuators: coturn', () => {
  it('gives the relay actuator for relay and proxy decisions, with secrets from the environment only', () => {
    const cfg = parseConfig('decisions:\n  mode: enforce\nenforcer:\n  actuators: [nftables, coturn]\n  coturn:\n    realm: example.net\n    cli: { host: 127.0.0.1, port: 5766, password_env: TURN_CLI_PASSWORD }\n');
    expect(() => createActuators(cfg, silentLogger, systemClock, {})).toThrow(/TURN_CLI_PASSWORD .* is not set/);
    const [, relay] = createActuators(cfg, silentLogger, systemClock, { TURN_CLI_PASSWORD: 's3cret' });
    expect(relay.name).toBe('coturn');
    expect(relay.scopes).toEqual(['relay', 'proxy']);
  });
});
