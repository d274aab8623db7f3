// Address ranges for allowlists: parse once, match fast. IPv4 and IPv6.
import { isIP } from 'node:net';

export interface Cidr {
  text: string;
  version: 4 | 6;
  network: bigint;
  bits: number;
}

export function parseIp(ip: string): { version: 4 | 6; value: bigint } | undefined {
  const v = isIP(ip);
  if (v === 4) {
    return { version: 4, value: ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  }
  if (v === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped) return parseIp(mapped[1]);
    const [head, tail = ''] = ip.split('::');
    const parts = (s: string) => (s ? s.split(':') : []);
    let h = parts(head);
    let t = parts(tail);
    // an embedded IPv4 tail counts as two groups
    const fix = (groups: string[]) =>
      groups.flatMap((g) => (g.includes('.') ? ((n) => [((n >> 16n) & 0xffffn).toString(16), (n & 0xffffn).toString(16)])(parseIp(g)!.value) : [g]));
    h = fix(h);
    t = fix(t);
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  return undefined;
}

export function parseCidr(text: string): Cidr {
  const [addr, bitsText] = text.trim().split('/');
  const ip = parseIp(addr);
  if (!ip) throw new Error(`not an IP address or CIDR: ${text}`);
  const max = ip.version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (bitsText !== undefined && !/^\d+$/.test(bitsText))) {
    throw new Error(`bad prefix length in ${text}`);
  }
  return { text, version: ip.version, network: mask(ip.value, bits, max), bits };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const p = parseIp(ip);
  if (!p || p.version !== c.version) return false;
  return mask(p.value, c.bits, c.version === 4 ? 32 : 128) === c.network;
}

function mask(value: bigint, bits: number, max: number): bigint {
  const hostBits = BigInt(max - bits);
  return (value >> hostBits) << hostBits;
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
}
