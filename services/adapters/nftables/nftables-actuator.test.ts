import { ManualClock } from '../../core/clock';
import { silentLogger } from '../../core/ports';
import type { Action, Decision, KeyType } from '../../core/records';
import { NftablesActuator } from './nftables-actuator';
import type { CommandResult, HostCommands } from './nft-runner';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function decision(id: string, action: Action, type: KeyType, value: string, ttl = 60, at = T0): Decision {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action,
    target: { type, value },
    scope: 'firewall',
    ttl_seconds: ttl,
    reason: 'test',
    finding_ids: [],
    origin: { type: 'detector', id: 'test' },
    mode: 'enforce',
  };
}

/** Records scripts; refuses any script containing `refuse`; lists `sets` as nft -j would. */
class FakeNft implements HostCommands {
  scripts: string[] = [];
  conntrackCalls: string[][] = [];
  conntrackResult: CommandResult = { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' };
  refuse?: string;
  sets: Record<string, Array<{ val: string; expires: number }>> = {};

  async nft(args: string[], stdin?: string): Promise<string> {
    if (args.join(' ') === '-j list table inet callsentry') {
      const sets = Object.entries(this.sets).map(([name, es]) => ({ set: { name, elem: es.map((e) => ({ elem: { val: e.val, timeout: 60, expires: e.expires } })) } }));
      return JSON.stringify({ nftables: [{ metainfo: {} }, { table: { name: 'callsentry' } }, ...sets] });
    }
    this.scripts.push(stdin ?? '');
    if (this.refuse && stdin?.includes(this.refuse)) throw new Error('Error: interval overlaps with an existing one');
    return '';
  }

  async conntrack(args: string[]): Promise<CommandResult> {
    this.conntrackCalls.push(args);
    return this.conntrackResult;
  }
}

function setup() {
  const fake = new FakeNft();
  const clock = new ManualClock(T0);
  const actuator = new NftablesActuator({ log: silentLogger, clock, commands: fake });
  return { fake, clock, actuator };
}

describe('NftablesActuator', () => {
  it('creates its table in one script', async () => {
    const { fake, actuator } = setup();
    await actuator.init();
    expect(fake.scripts).toHaveLength(1);
    expect(fake.scripts[0]).toMatch(/^add table inet callsentry\n/);
  });

  it('applies valid decisions in one transaction and rejects the rest with a reason', async () => {
    const { fake, actuator } = setup();
    const results = await actuator.apply([
      decision('a', 'block', 'ip', '192.0.2.1'),
      decision('b', 'block', 'ip', '192.0.2.1; flush ruleset'),
      decision('c', 'rate-limit', 'cidr', '198.51.100.0/24', 30),
      decision('d', 'suspend-account', 'account', 'acme'),
      decision('e', 'block', 'ip', '192.0.2.2', 0),
      { ...decision('f', 'block', 'ip', '192.0.2.3'), scope: 'relay' },
    ]);
    expect(results.map((r) => [r.decisionId, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
      ['d', false],
      ['e', false],
      ['f', false],
    ]);
    expect(results[1].detail).toMatch(/^rejected: not an address/);
    expect(results[4].detail).toMatch(/ttl_seconds must be > 0/);
    expect(fake.scripts).toHaveLength(1);
    expect(fake.scripts[0]).toContain('add element inet callsentry block_addr4 { 192.0.2.1 timeout 60s }');
    expect(fake.scripts[0]).toContain('add element inet callsentry limit_net4 { 198.51.100.0/24 timeout 30s }');
    expect(fake.scripts[0]).not.toContain('flush ruleset');
  });

  it('isolates an element the kernel refuses', async () => {
    const { fake, actuator } = setup();
    fake.refuse = '10.1.0.0/16';
    const results = await actuator.apply([decision('a', 'block', 'cidr', '10.0.0.0/8'), decision('b', 'block', 'cidr', '10.1.0.0/16')]);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1].detail).toContain('interval overlaps');
    expect(fake.scripts).toHaveLength(3);
  });

  it('flushes conntrack of blocked sources only, tolerating "0 flow entries"', async () => {
    const { fake, actuator } = setup();
    const results = await actuator.apply([decision('a', 'block', 'ip', 'fd00::7'), decision('b', 'block', 'cidr', '10.2.0.0/16'), decision('c', 'rate-limit', 'ip', '192.0.2.9')]);
    expect(fake.conntrackCalls).toEqual([
      ['-D', '-f', 'ipv6', '-s', 'fd00:0:0:0:0:0:0:7'],
      ['-D', '-f', 'ipv4', '-s', '10.2.0.0', '--mask-src', '255.255.0.0'],
    ]);
    expect(results.every((r) => r.ok && !r.detail.includes('conntrack'))).toBe(true);
  });

  it('keeps a block when conntrack fails, and says so', async () => {
    const { fake, actuator } = setup();
    fake.conntrackResult = { code: 127, stdout: '', stderr: 'cannot run conntrack: ENOENT' };
    const [r] = await actuator.apply([decision('a', 'block', 'ip', '192.0.2.1')]);
    expect(r.ok).toBe(true);
    expect(r.detail).toContain('conntrack flush failed: cannot run conntrack');
  });

  it('unblocks from both kinds of set without failing on absent elements', async () => {
    const { fake, actuator } = setup();
    const [r] = await actuator.apply([decision('u', 'unblock', 'ip', '192.0.2.1')]);
    expect(r).toEqual({ decisionId: 'u', ok: true, detail: 'removed from block_addr4, removed from limit_addr4, removed from aggregate_addr4' });
    expect(fake.scripts[0].split('\n').filter((l) => l.startsWith('delete'))).toEqual([
      'delete element inet callsentry block_addr4 { 192.0.2.1 }',
      'delete element inet callsentry limit_addr4 { 192.0.2.1 }',
      'delete element inet callsentry aggregate_addr4 { 192.0.2.1 }',
    ]);
  });

  it('keeps decision order within a batch: block then unblock ends unblocked', async () => {
    const { fake, actuator } = setup();
    await actuator.apply([decision('a', 'block', 'ip', '192.0.2.1'), decision('b', 'unblock', 'ip', '192.0.2.1')]);
    const lines = fake.scripts[0].split('\n');
    expect(lines.lastIndexOf('delete element inet callsentry block_addr4 { 192.0.2.1 }')).toBeGreaterThan(lines.indexOf('add element inet callsentry block_addr4 { 192.0.2.1 timeout 60s }'));
  });

  it('lists elements with their expiry', async () => {
    const { fake, clock, actuator } = setup();
    fake.sets.block_addr6 = [{ val: 'fd00::1', expires: 42 }];
    clock.advance(5_000);
    expect(await actuator.list()).toEqual([{ kind: 'block', set: 'block_addr6', action: 'block', target: { type: 'ip', value: 'fd00:0:0:0:0:0:0:1' }, expiresAt: T0 + 5_000 + 42_000 }]);
  });

  it('reconciles: restores missing and short-lived elements with their remaining time, reports extras', async () => {
    const { fake, clock, actuator } = setup();
    clock.advance(20_000);
    fake.sets.block_addr4 = [
      { val: '192.0.2.1', expires: 40 }, // as desired
      { val: '192.0.2.2', expires: 5 }, // renewed decision wants 40
      { val: '192.0.2.99', expires: 10 }, // nobody asked
    ];
    const report = await actuator.reconcile([
      decision('keep', 'block', 'ip', '192.0.2.1'),
      decision('renew', 'block', 'ip', '192.0.2.2'),
      decision('lost', 'block', 'ip', '192.0.2.3'),
      decision('over', 'block', 'ip', '192.0.2.4', 10),
      decision('undo', 'unblock', 'ip', '192.0.2.5'),
    ]);
    expect(report.restored.map((r) => r.decisionId)).toEqual(['renew', 'lost']);
    expect(fake.scripts[0]).toContain('block_addr4 { 192.0.2.2 timeout 40s }');
    expect(fake.scripts[0]).toContain('block_addr4 { 192.0.2.3 timeout 40s }');
    expect(fake.scripts[0]).not.toContain('192.0.2.1');
    expect(fake.scripts[0]).not.toContain('192.0.2.4');
    expect(fake.scripts[0]).not.toContain('192.0.2.5');
    expect(report.extras.map((e) => e.target.value)).toEqual(['192.0.2.99']);
  });
});
