// What the kernel dropped before we read it: a UDP socket whose receive buffer is full loses
// datagrams silently, and only /proc/net/udp (column "drops") says how many. Linux only; elsewhere,
// or when the file cannot be read, the count is unknown (undefined), never a made-up zero.
import { readFileSync } from 'node:fs';

/** Drops of the UDP sockets bound to this local port, summed over /proc/net/udp and udp6. */
export function udpKernelDrops(port: number, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): number | undefined {
  let total: number | undefined;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    total = (total ?? 0) + dropsOnPort(text, port);
  }
  return total;
}

export function dropsOnPort(procNetUdp: string, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let drops = 0;
  for (const line of procNetUdp.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (cols.length < 13 || !cols[1]!.endsWith(`:${hexPort}`)) continue;
    const n = Number(cols[12]);
    if (Number.isFinite(n)) drops += n;
  }
  return drops;
}
