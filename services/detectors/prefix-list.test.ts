import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { longestPrefix, readPrefixFile } from './prefix-list';
import { activeDetectors } from './registry';

const dir = mkdtempSync(path.join(tmpdir(), 'callsentry-prefixes-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('prefix lists', () => {
  it('matches the longest prefix', () => {
    const list = ['88', '8816', '371'];
    expect(longestPrefix('8816802801', list)).toBe('8816');
    expect(longestPrefix('8823978102', list)).toBe('88');
    expect(longestPrefix('37412345678', list)).toBeUndefined();
  });

  it('reads a CSV with a prefix column and leaves whitelisted rows out', () => {
    const csv = file('list.csv', 'id,prefix,whitelist,description,dt\n1,972595267356,0,internal,2021-08-20\n2,441212792239,1,internal,2021-08-20\n3,+53535,0,x,y\n');
    expect(readPrefixFile(csv)).toEqual(['972595267356', '53535']);
  });

  it('reads plain text, one prefix per line, with comments', () => {
    expect(readPrefixFile(file('list.txt', '# premium\n00881\n\n882\n'))).toEqual(['881', '882']);
  });

  it('refuses a line that is not a prefix, naming it', () => {
    expect(() => readPrefixFile(file('bad.txt', '881\nabc\n'))).toThrow(/line 2 is not a number prefix/);
  });

  it('loads the file once, when the configuration is read, adding to the listed prefixes', () => {
    const p = file('more.txt', '5352\n');
    const [active] = activeDetectors({ 'fraud/destination-risk': { prefix_file: p, prefixes: ['881'] } }).filter((a) => a.detector.id === 'fraud/destination-risk');
    expect((active.settings as unknown as { prefixes: string[] }).prefixes).toEqual(['881', '5352']);
  });

  it('makes a missing file a configuration error', () => {
    expect(() => activeDetectors({ 'fraud/destination-risk': { prefix_file: path.join(dir, 'missing.csv') } })).toThrow(
      /detectors\.fraud\/destination-risk: prefix_file .*missing\.csv/,
    );
  });
});

describe('a replaced detector in the configuration', () => {
  it('is refused with the name of the detector that replaced it and where its keys went', () => {
    expect(() => activeDetectors({ 'fraud/high-cost-destination': { prefixes: ['881'] } })).toThrow(
      /detectors\.fraud\/high-cost-destination: this detector was replaced by fraud\/destination-risk.*move prefixes and prefix_file to detectors\.fraud\/destination-risk.*dial_plans\.default\.international_prefixes/,
    );
  });
});
