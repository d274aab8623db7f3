// Address ranges for allowlists: parse once, match fast. IPv4 and IPv6, through ipaddr.js.
// A range is stored in its canonical form: host bits cleared (10.0.0.1/8 is 10.0.0.0/8), IPv6 in
// RFC 5952 text (2001:DB8:0::1 is 2001:db8::1), an IPv4-mapped IPv6 address or range as the IPv4
// one it stands for. Text is first checked with node:net's isIP, which accepts only the usual
// dotted-quad and IPv6 forms: ipaddr.js alone would also read `10.1` or `010.0.0.1` (octal), which
// no operator means when writing an allowlist.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  /** canonical: the network address, then /bits when the text gave a prefix length */
  text: string;
  version: 4 | 6;
  /** the network address as a number (adapters print it their own way) */
  network: bigint;
  bits: number;
}

/** An IPv4-mapped IPv6 address is its IPv4 address. */
function address(ip: string): Address | undefined {
  if (!isIP(ip)) return undefined;
  const a = ipaddr.parse(ip);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

const versionOf = (a: Address): 4 | 6 => (a.kind() === 'ipv4' ? 4 : 6);

const valueOf = (a: Address): bigint => a.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

export function parseIp(ip: string): { version: 4 | 6; value: bigint } | undefined {
  const a = address(ip);
  return a ? { version: versionOf(a), value: valueOf(a) } : undefined;
}

export function parseCidr(text: string): Cidr {
  const [addr = '', bitsText, ...rest] = text.trim().split('/');
  if (!isIP(addr) || rest.length) throw new Error(`not an IP address or CIDR: ${text}`);
  let ip: Address = ipaddr.parse(addr);
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  let bits = bitsText === undefined ? max : Number(bitsText);
  if (bitsText !== undefined && (!/^\d+$/.test(bitsText) || bits > max)) throw new Error(`bad prefix length in ${text}`);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const network = networkOf(ip, bits);
  return { text: bitsText === undefined ? network.toString() : `${network.toString()}/${bits}`, version: versionOf(network), network: valueOf(network), bits };
}

/** The address with its host bits (those after the first `bits`) cleared. */
function networkOf(ip: Address, bits: number): Address {
  return ipaddr.fromByteArray(ip.toByteArray().map((b, i) => b & (0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff));
}

/**
 * One spelling per range, as allowlist entries and operator targets are stored, keyed and compared:
 * the canonical range, and a single address without its /32 or /128.
 */
export function canonicalCidr(text: string): string {
  const c = parseCidr(text);
  const slash = c.text.indexOf('/');
  return c.bits === (c.version === 4 ? 32 : 128) && slash >= 0 ? c.text.slice(0, slash) : c.text;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const p = parseIp(ip);
  if (!p || p.version !== c.version) return false;
  const hostBits = BigInt((c.version === 4 ? 32 : 128) - c.bits);
  return (p.value >> hostBits) << hostBits === c.network;
}

/** Two ranges overlap when they agree on the bits of the shorter prefix (one holds the other). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false;
  const max = BigInt(a.version === 4 ? 32 : 128);
  const shift = max - BigInt(Math.min(a.bits, b.bits));
  return a.network >> shift === b.network >> shift;
}

export class CidrSet {
  private readonly ranges: Cidr[];
  constructor(texts: string[]) {
    this.ranges = texts.map(parseCidr);
  }
  /** The first range holding the address, or undefined. */
  match(ip: string): Cidr | undefined {
    return this.ranges.find((c) => cidrContains(c, ip));
  }
  /** The first range that holds, or lies inside, the given one (a /24 holding an allowlisted host). */
  overlapping(range: Cidr): Cidr | undefined {
    return this.ranges.find((c) => cidrOverlaps(c, range));
  }
}
