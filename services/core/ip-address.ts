// One text per address. IPv6 has many spellings of the same address (2001:DB8:0:0:0:0:0:101,
// 2001:db8::101) and IPv4 hides inside IPv6 (::ffff:198.18.0.1); compared as written, a forger picks
// the spelling that escapes a check. Every address is canonicalised once at the edge (the
// collector's validation) and wherever configuration or operators hand one in.
import { isIP, SocketAddress } from 'node:net';

/** The canonical text of an IP address (RFC 5952; IPv4-mapped IPv6 as IPv4), or undefined. */
export function canonicalIp(text: string): string | undefined {
  const version = isIP(text);
  if (version === 0) return undefined;
  // inet_ntop through libuv: lower case, zeros compressed, the zone id dropped
  const address = new SocketAddress({ address: text, family: version === 4 ? 'ipv4' : 'ipv6' }).address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped ? mapped[1] : address;
}

/** The canonical text, or the text itself when it is no address (a caller that validated already). */
export function canonicalOr(text: string): string {
  // dotted IPv4 that isIP accepts has one spelling already (no leading zeros): the hot path
  return text.includes(':') ? (canonicalIp(text) ?? text) : text;
}
