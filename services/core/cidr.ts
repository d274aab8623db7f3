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
  return p !== undefined && p.version === c.version && containsValue(c, p.value);
}

function containsValue(c: Cidr, value: bigint): boolean {
  const hostBits = BigInt((c.version === 4 ? 32 : 128) - c.bits);
  return (value >> hostBits) << hostBits === c.network;
}

/** Two ranges overlap when they agree on the bits of the shorter prefix (one holds the other). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.version !== b.version) return false;
  const max = BigInt(a.version === 4 ? 32 : 128);
  const shift = max - BigInt(Math.min(a.bits, b.bits));
  return a.network >> shift === b.network >> shift;
}

/**
 * A dotted-quad IPv4 address as a number, read as node:net's isIP reads it (no leading zeros, no
 * short forms), or undefined. Detectors test every record's source: this spares ipaddr.js and BigInt.
 */
export function ipv4Number(ip: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (c < 48 || c > 57 || (digits > 0 && octet === 0)) return undefined;
    octet = octet * 10 + (c - 48);
    if (++digits > 3 || octet > 255) return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
}

/**
 * Whether text is an IP address (4 or 6 for its family, 0 when not), as node:net's isIP says; a
 * dotted quad is read without allocating (isIP runs a regular expression that builds a match array:
 * per request on the verdict path, that was a few hundred bytes for every call).
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (ipv4Number(text) !== undefined) return 4;
  return isIP(text) as 0 | 4 | 6;
}

/** The 32-bit mask of an IPv4 prefix length. */
export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export class CidrSet {
  private readonly ranges: Cidr[];
  /** the IPv4 ranges as numbers, for the dotted-quad fast path */
  private readonly v4: Array<{ cidr: Cidr; network: number; mask: number }>;
  constructor(texts: string[]) {
    this.ranges = texts.map(parseCidr);
    this.v4 = this.ranges.filter((c) => c.version === 4).map((cidr) => ({ cidr, network: Number(cidr.network), mask: ipv4Mask(cidr.bits) }));
  }
  /** The first range holding the address, or undefined. The address is read once, whatever the number of ranges. */
  match(ip: string): Cidr | undefined {
    if (this.ranges.length === 0) return undefined;
    const n = ipv4Number(ip);
    if (n !== undefined) {
      for (const r of this.v4) if ((n & r.mask) >>> 0 === r.network) return r.cidr;
      return undefined;
    }
    const p = parseIp(ip);
    if (!p) return undefined;
    return this.ranges.find((c) => c.version === p.version && containsValue(c, p.value));
  }
  /** The first range that holds, or lies inside, the given one (a /24 holding an allowlisted host). */
  overlapping(range: Cidr): Cidr | undefined {
    return this.ranges.find((c) => cidrOverlaps(c, range));
  }
}
