import { dropsOnPort, udpKernelDrops } from './udp-kernel-drops';

const PROC = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:2364 00000000:0000 07 00000000:00034000 00:00000000 00000000  1000        0 551234 2 0000000000000000 1742
  124: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 22314 2 0000000000000000 0
`;

describe('udpKernelDrops', () => {
  it('reads the drops of the socket on our port from /proc/net/udp', () => {
    expect(dropsOnPort(PROC, 9060)).toBe(1742);
    expect(dropsOnPort(PROC, 53)).toBe(0);
    expect(dropsOnPort(PROC, 5060)).toBe(0);
    expect(udpKernelDrops(9060, (f) => (f.endsWith('udp') ? PROC : ''))).toBe(1742);
  });

  it('says unknown, not zero, where the kernel does not tell', () => {
    expect(udpKernelDrops(9060, () => {
      throw new Error('ENOENT');
    })).toBeUndefined();
  });
});
