// A decision target becomes a set element only through here: parsed with the core address parser,
// then re-printed from its numeric value, so no byte of the caller's text reaches an nft script.
import { parseCidr, parseIp } from '../../core/cidr';
import type { Key } from '../../core/records';

export type Family = 4 | 6;
/** addr: single addresses (hash set); net: CIDR ranges (interval set, kept apart so ranges never clash with addresses) */
export type Shape = 'addr' | 'net';

export interface NftElement {
  family: Family;
  shape: Shape;
  /** canonical text, e.g. `10.0.0.1`, `fd00:0:0:0:0:0:0:1`, `10.1.0.0/16` */
  text: string;
  /** network address and prefix length, for conntrack's masks */
  value: bigint;
  bits: number;
}

export type Parsed = { ok: true; element: NftElement } | { ok: false; reason: string };

export interface ElementLimits {
  /** shortest CIDR prefix accepted per family: a typo like /0 must not drop the whole internet */
  minPrefix: { 4: number; 6: number };
}

export const DEFAULT_LIMITS: ElementLimits = { minPrefix: { 4: 8, 6: 32 } };

const MAX_TEXT = 64;

export function toElement(target: Key, limits: ElementLimits = DEFAULT_LIMITS): Parsed {
  const raw = target.value;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_TEXT) return fail('address missing or too long');
  // node's isIP accepts IPv6 zone ids (`fe80::1%eth0`); a zone means nothing to a firewall set
  if (!/^[0-9A-Fa-f:.\/]+$/.test(raw)) return fail(`not an address: ${JSON.stringify(raw)}`);
  if (target.type === 'ip') {
    const ip = parseIp(raw);
    if (!ip) return fail(`not an IP address: ${JSON.stringify(raw)}`);
    const bits = ip.version === 4 ? 32 : 128;
    return ok({ family: ip.version, shape: 'addr', text: formatIp(ip.version, ip.value), value: ip.value, bits });
  }
  if (target.type === 'cidr') {
    // parseCidr reads the first two parts of a split on '/' and would ignore a third
    if (raw.split('/').length > 2) return fail(`not a CIDR: ${JSON.stringify(raw)}`);
    let c;
    try {
      c = parseCidr(raw);
    } catch (err) {
      return fail((err as Error).message.replace(raw, JSON.stringify(raw)));
    }
    const max = c.version === 4 ? 32 : 128;
    const host = parseIp(raw.split('/')[0]);
    if (host && host.value !== c.network) return fail(`host bits set in ${raw}; use ${formatIp(c.version, c.network)}/${c.bits}`);
    if (c.bits < limits.minPrefix[c.version]) return fail(`prefix /${c.bits} is shorter than the allowed /${limits.minPrefix[c.version]}`);
    const addr = formatIp(c.version, c.network);
    // a full-length prefix is one address: keep it in the address set so it renews like one
    if (c.bits === max) return ok({ family: c.version, shape: 'addr', text: addr, value: c.network, bits: max });
    return ok({ family: c.version, shape: 'net', text: `${addr}/${c.bits}`, value: c.network, bits: c.bits });
  }
  return fail(`target type ${String(target.type)} is not an address`);
}

/** Dotted quad or eight uncompressed hex groups: unambiguous, and nft reads both. */
export function formatIp(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/** Canonical text of an element as nft prints it (compressed IPv6, prefix objects), or undefined. */
export function canonical(text: string): string | undefined {
  // what the kernel already holds is listed as it is, whatever the prefix limits say
  const r = toElement({ type: text.includes('/') ? 'cidr' : 'ip', value: text }, { minPrefix: { 4: 0, 6: 0 } });
  return r.ok ? r.element.text : undefined;
}

function ok(element: NftElement): Parsed {
  return { ok: true, element };
}

function fail(reason: string): Parsed {
  return { ok: false, reason };
}
