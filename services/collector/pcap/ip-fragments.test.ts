import { IpDefragmenter } from './ip-fragments';

const bytes = (text: string) => Buffer.from(text);

describe('IP fragments that overlap', () => {
  it('drops a datagram whose fragments overlap with different bytes, whichever copy came first', () => {
    for (const [first, second] of [['friendly-scanner', 'Zoiper 5.4.1 xx'], ['Zoiper 5.4.1 xx', 'friendly-scanner']]) {
      const d = new IpDefragmenter();
      expect(d.push('k', 0, true, bytes(`UA: ${first}`.padEnd(24)), 0)).toBeUndefined();
      expect(d.push('k', 0, true, bytes(`UA: ${second}`.padEnd(24)), 1)).toBeUndefined();
      expect(d.push('k', 24, false, bytes('end'), 2)).toBeUndefined();
      expect(d.stats).toMatchObject({ overlaps: 1, reassembled: 0 });
    }
  });

  it('drops a partial overlap that rewrites the tail of the fragment before it', () => {
    const d = new IpDefragmenter();
    d.push('k', 0, true, bytes('INVITE sip:1@x SIP/2.0\r\nUser-Agent: friendly-scanner'), 0);
    expect(d.push('k', 40, false, bytes('Zoiper          \r\n\r\n'), 1)).toBeUndefined();
    expect(d.stats.overlaps).toBe(1);
  });

  it('discards the fragments still to come, so no later copy completes the datagram', () => {
    const d = new IpDefragmenter();
    d.push('k', 0, true, bytes('AAAAAAAA'), 0);
    d.push('k', 0, true, bytes('BBBBBBBB'), 1);
    expect(d.push('k', 0, true, bytes('BBBBBBBB'), 2)).toBeUndefined();
    expect(d.push('k', 8, false, bytes('CC'), 3)).toBeUndefined();
    expect(d.stats).toMatchObject({ overlaps: 1, reassembled: 0, dropped: 0 });
  });

  it('drops a datagram whose end moves: a second last fragment, or bytes past the last one', () => {
    const twoEnds = new IpDefragmenter();
    twoEnds.push('k', 8, false, bytes('end'), 0);
    twoEnds.push('k', 8, false, bytes('end, longer'), 1);
    expect(twoEnds.push('k', 0, true, bytes('AAAAAAAA'), 2)).toBeUndefined();
    const past = new IpDefragmenter();
    past.push('k', 16, true, bytes('beyond'), 0);
    past.push('k', 8, false, bytes('end'), 1);
    expect(past.push('k', 0, true, bytes('AAAAAAAA'), 2)).toBeUndefined();
    expect([twoEnds.stats.overlaps, past.stats.overlaps]).toEqual([1, 1]);
  });

  it('ignores an exact repeat and reassembles overlaps whose bytes agree', () => {
    const d = new IpDefragmenter();
    d.push('k', 0, true, bytes('ABCDEFGH'), 0);
    expect(d.push('k', 0, true, bytes('ABCDEFGH'), 1)).toBeUndefined();
    d.push('k', 4, true, bytes('EFGHIJKL'), 2);
    expect(d.push('k', 12, false, bytes('MN'), 3)?.toString()).toBe('ABCDEFGHIJKLMN');
    expect(d.stats).toMatchObject({ overlaps: 0, duplicates: 1, reassembled: 1 });
  });

  it('forgets a tombstone when it times out, without counting it as a dropped datagram', () => {
    const d = new IpDefragmenter(16, 1000);
    d.push('k', 0, true, bytes('AAAAAAAA'), 0);
    d.push('k', 0, true, bytes('BBBBBBBB'), 1);
    d.push('k', 0, true, bytes('CCCCCCCC'), 5000);
    expect(d.push('k', 8, false, bytes('DD'), 5001)?.toString()).toBe('CCCCCCCCDD');
    expect(d.stats).toMatchObject({ overlaps: 1, dropped: 0, reassembled: 1 });
  });
});
