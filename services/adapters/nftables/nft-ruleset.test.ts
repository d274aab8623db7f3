import { toElement, type NftElement } from './nft-element';
import { decisionSets, deleteScript, initScript, resolveRuleset, upsertScript } from './nft-ruleset';

function el(type: 'ip' | 'cidr', value: string): NftElement {
  const r = toElement({ type, value });
  if (!r.ok) throw new Error(r.reason);
  return r.element;
}

describe('resolveRuleset', () => {
  it('has defaults', () => {
    expect(resolveRuleset()).toEqual({ table: 'callsentry', priority: -10, rateLimit: { packetsPerSecond: 50, burst: 100 }, aggregateLimit: { packetsPerSecond: 500, burst: 1000 }, meterIdleSeconds: 60 });
  });

  it.each([{ table: 'x; flush ruleset' }, { table: '' }, { priority: 1.5 }, { rateLimit: { packetsPerSecond: 0, burst: 1 } }, { aggregateLimit: { packetsPerSecond: 1, burst: -1 } }, { meterIdleSeconds: -1 }])(
    'rejects %j',
    (o) => {
      expect(() => resolveRuleset(o)).toThrow();
    },
  );
});

describe('initScript', () => {
  const script = initScript(resolveRuleset({ table: 'cs_test', rateLimit: { packetsPerSecond: 5, burst: 2 } }));

  it('declares every set with timeouts, intervals for ranges', () => {
    expect(decisionSets()).toHaveLength(12);
    expect(script).toContain('add set inet cs_test block_addr4 { type ipv4_addr; flags timeout; }');
    expect(script).toContain('add set inet cs_test block_net6 { type ipv6_addr; flags interval, timeout; }');
    expect(script).toContain('add set inet cs_test limit_meter6 { type ipv6_addr; flags dynamic, timeout; timeout 60s; }');
    expect(script).toContain('add set inet cs_test aggregate_meter4 { type ipv4_addr; flags dynamic, timeout; timeout 60s; }');
  });

  it('limits the UDP toward an aggregate-limited destination as a whole, per destination', () => {
    expect(script).toContain(
      'add rule inet cs_test input meta l4proto udp ip daddr @aggregate_addr4 update @aggregate_meter4 { ip daddr limit rate over 500/second burst 1000 packets } counter drop comment "input aggregate_addr4"',
    );
  });

  it('drops in input and forward before filter, with counters, after replacing old rules', () => {
    for (const chain of ['input', 'forward']) {
      expect(script).toContain(`add chain inet cs_test ${chain} { type filter hook ${chain} priority -10; policy accept; }`);
      expect(script.indexOf(`flush chain inet cs_test ${chain}`)).toBeLessThan(script.indexOf(`add rule inet cs_test ${chain} `));
      expect(script).toContain(`add rule inet cs_test ${chain} ip6 saddr @block_addr6 counter drop comment "${chain} block_addr6"`);
      expect(script).toContain(
        `add rule inet cs_test ${chain} ip saddr @limit_addr4 update @limit_meter4 { ip saddr limit rate over 5/second burst 2 packets } counter drop comment "${chain} limit_addr4"`,
      );
    }
  });
});

describe('element scripts', () => {
  const r = resolveRuleset();

  it('renews with add, delete, add-with-timeout in one script', () => {
    expect(upsertScript(r, [{ kind: 'block', element: el('ip', 'fd00::1'), ttlSeconds: 30 }, { kind: 'limit', element: el('cidr', '10.1.0.0/16'), ttlSeconds: 5 }])).toBe(
      [
        'add element inet callsentry block_addr6 { fd00:0:0:0:0:0:0:1 }',
        'delete element inet callsentry block_addr6 { fd00:0:0:0:0:0:0:1 }',
        'add element inet callsentry block_addr6 { fd00:0:0:0:0:0:0:1 timeout 30s }',
        'add element inet callsentry limit_net4 { 10.1.0.0/16 }',
        'delete element inet callsentry limit_net4 { 10.1.0.0/16 }',
        'add element inet callsentry limit_net4 { 10.1.0.0/16 timeout 5s }',
        '',
      ].join('\n'),
    );
  });

  it('refuses an element without a positive whole timeout', () => {
    for (const ttlSeconds of [0, -1, 1.5, NaN]) expect(() => upsertScript(r, [{ kind: 'block', element: el('ip', '1.2.3.4'), ttlSeconds }])).toThrow();
  });

  it('deletes without failing on absent elements', () => {
    expect(deleteScript(r, [{ kind: 'block', element: el('ip', '1.2.3.4') }])).toBe(
      'add element inet callsentry block_addr4 { 1.2.3.4 }\ndelete element inet callsentry block_addr4 { 1.2.3.4 }\n',
    );
  });
});
