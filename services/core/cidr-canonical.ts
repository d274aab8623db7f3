// One spelling per range: host bits cleared (10.0.0.1/8 is 10.0.0.0/8), IPv6 in its RFC 5952 form
// (2001:DB8:0:0::1 is 2001:db8::1), a single address without its /32 or /128. Allowlist entries
// and operator targets are stored, keyed and compared in this form.
import { parseCidr, type Cidr } from './cidr';

export function canonicalCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

export function formatCidr(c: Cidr): string {
  const max = c.version === 4 ? 32 : 128;
  const address = c.version === 4 ? ipv4Text(c.network) : ipv6Text(c.network);
  return c.bits === max ? address : `${address}/${c.bits}`;
}

function ipv4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

function ipv6Text(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // the WHATWG URL parser writes IPv6 hosts in the RFC 5952 form (longest zero run as ::, lower case)
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
