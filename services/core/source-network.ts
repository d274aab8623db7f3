// The network a source address belongs to for partitioning: its /24 (IPv4) or /48 (IPv6). SIP flows
// are keyed by it on flows.sip.v1, so every record of an address still meets on one partition (the
// per-source detectors), and so do the records of all addresses of one network (a rotating-source
// attack, sip/network-attack, whose prefixes may therefore be no shorter than these).
import { parseCidr } from './cidr';

export const PARTITION_PREFIX = { 4: 24, 6: 48 } as const;

/** The /24 or /48 of an address (canonical), or the text itself when it is no address. */
export function partitionNetwork(ip: string): string {
  if (!ip.includes(':')) {
    // dotted IPv4 as the collector canonicalised it: the first three octets are the /24
    const dot = ip.lastIndexOf('.');
    if (dot > 0 && /^\d+\.\d+\.\d+\.\d+$/.test(ip)) return `${ip.slice(0, dot)}.0/24`;
    return ip;
  }
  try {
    return parseCidr(`${ip}/${PARTITION_PREFIX[6]}`).text;
  } catch {
    return ip;
  }
}
