import { parseRuleCounters, parseSetElements, parseSets } from './nft-json';

const meta = { metainfo: { version: '1.0.6', json_schema_version: 1 } };

describe('parseSetElements', () => {
  it('reads addresses, prefixes and remaining time as nft 1.0 prints them', () => {
    const out = JSON.stringify({
      nftables: [
        meta,
        {
          set: {
            family: 'inet',
            name: 'block_net6',
            table: 'callsentry',
            type: 'ipv6_addr',
            elem: [{ elem: { val: { prefix: { addr: 'fd00:1::', len: 32 } }, timeout: 300, expires: 299 } }, { elem: { val: 'fd00::1', timeout: 30, expires: 29 } }, '10.0.0.9', { weird: true }],
          },
        },
      ],
    });
    expect(parseSetElements(out)).toEqual([
      { text: 'fd00:1:0:0:0:0:0:0/32', expiresInSeconds: 299 },
      { text: 'fd00:0:0:0:0:0:0:1', expiresInSeconds: 29 },
      { text: '10.0.0.9' },
    ]);
  });

  it('reads an empty set', () => {
    expect(parseSetElements(JSON.stringify({ nftables: [meta, { set: { name: 'block_addr4' } }] }))).toEqual([]);
  });
});

describe('parseSets', () => {
  it('groups the elements of a whole table listing by set, empty sets included, rules and chains ignored', () => {
    const out = JSON.stringify({
      nftables: [
        meta,
        { table: { family: 'inet', name: 'callsentry' } },
        { set: { name: 'block_addr4', elem: [{ elem: { val: '192.0.2.1', timeout: 60, expires: 59 } }] } },
        { set: { name: 'limit_addr4' } },
        { chain: { name: 'input' } },
        { rule: { chain: 'input', comment: 'input block_addr4', expr: [] } },
      ],
    });
    expect(parseSets(out)).toEqual(new Map([['block_addr4', [{ text: '192.0.2.1', expiresInSeconds: 59 }]], ['limit_addr4', []]]));
  });
});

describe('parseRuleCounters', () => {
  it('maps rule comments to packet counts', () => {
    const out = JSON.stringify({
      nftables: [meta, { rule: { chain: 'input', comment: 'input block_addr4', expr: [{ match: {} }, { counter: { packets: 7, bytes: 700 } }, { drop: null }] } }, { rule: { chain: 'input', expr: [] } }],
    });
    expect([...parseRuleCounters(out)]).toEqual([['input block_addr4', 7]]);
  });
});
