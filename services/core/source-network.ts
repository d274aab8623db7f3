// The network a source address belongs to for partitioning: its /24 (IPv4) or /48 (IPv6). SIP flows
// are keyed by it on flows.sip.v1, so every record of an address still meets on one partition (the
// per-source detectors), and so do the records of all addresses of one network (a rotating-source
// attack, sip/network-attack, whose prefixes may therefore be no shorter than these).
import { ipv4Mask, ipv4Number, ipv4Text, parseCidr } from './cidr';

export const PARTITION_PREFIX = { 4: 24, 6: 48 } as const;

/** The /24 or /48 of an address (canonical), or the text itself when it is no address. */
export function partitionNetwork(ip: string): string {
  return networkAt(ip, PARTITION_PREFIX[4], PARTITION_PREFIX[6]) ?? ip;
}

/** IPv6 networks by address and prefix: the same few addresses come back request after request. Bounded. */
const V6_NETWORKS = new Map<string, string | undefined>();

/**
 * The network of an address at the given prefix lengths, canonical as parseCidr spells it
 * (a.b.c.0/24, 2001:db8:1::/48), or undefined when it is no address. Read on every record by the
 * detectors that group sources by network: IPv4 is masked as a number, IPv6 parsed once and kept.
 */
export function networkAt(ip: string, ipv4Prefix: number, ipv6Prefix: number): string | undefined {
  const n = ipv4Number(ip);
  if (n !== undefined) return `${ipv4Text((n & ipv4Mask(ipv4Prefix)) >>> 0)}/${ipv4Prefix}`;
  const k = `${ipv6Prefix}/${ip}`;
  if (V6_NETWORKS.has(k)) return V6_NETWORKS.get(k);
  let network: string | undefined;
  try {
    network = parseCidr(`${ip}/${ip.includes(':') ? ipv6Prefix : ipv4Prefix}`).text;
  } catch {
    network = undefined;
  }
  if (V6_NETWORKS.size >= 65_536) V6_NETWORKS.clear();
  V6_NETWORKS.set(k, network);
  return network;
}
