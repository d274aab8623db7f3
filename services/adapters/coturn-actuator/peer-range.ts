// A deny-peer target in the two forms the coturn actuator needs: the range text coturn parses
// (`A` or `A-B`, the syntax of its denied-peer-ip option) and a token that names the target inside a
// Redis key and reads back to the same target.
import { parseCidr } from '../../core/cidr';
import type { Key } from '../../core/records';

export interface PeerRange {
  target: Key;
  /** what coturn reads: one address, or first-last of a prefix */
  coturn: string;
  /** the target with '/' replaced, safe as one Redis key segment */
  token: string;
}

const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;
const ADDRESS_OR_PREFIX = /^[0-9A-Fa-f:.]{2,45}(?:\/\d{1,3})?$/;

/** Validates an ip or cidr target; throws on anything else (no text reaches Redis unparsed). */
export function peerRange(target: Key): PeerRange {
  if (target.type !== 'ip' && target.type !== 'cidr') throw new Error(`deny-peer needs an ip or cidr target, not ${target.type}`);
  // only address characters and at most one decimal prefix length reach parseCidr
  if (!(target.type === 'ip' ? ADDRESS : ADDRESS_OR_PREFIX).test(target.value)) throw new Error(`not an IP ${target.type === 'ip' ? 'address' : 'range'}: ${JSON.stringify(target.value)}`);
  const c = parseCidr(target.value);
  const max = c.version === 4 ? 32 : 128;
  const first = formatIp(c.network, c.version);
  const last = formatIp(c.network | ((1n << BigInt(max - c.bits)) - 1n), c.version);
  const canonical = c.bits === max ? first : `${first}/${c.bits}`;
  return {
    target: { type: c.bits === max ? 'ip' : 'cidr', value: canonical },
    coturn: first === last ? first : `${first}-${last}`,
    token: canonical.replace('/', '_'),
  };
}

/** The inverse of `token`: undefined for anything this actuator did not write. */
export function peerRangeFromToken(token: string): PeerRange | undefined {
  try {
    const r = peerRange({ type: token.includes('_') ? 'cidr' : 'ip', value: token.replace('_', '/') });
    return r.token === token ? r : undefined;
  } catch {
    return undefined;
  }
}

// Full, uncompressed IPv6 groups: inet_pton (coturn) reads them, and the text is canonical.
function formatIp(value: bigint, version: 4 | 6): string {
  const [groups, width, base, sep] = version === 4 ? [4, 8n, 10, '.'] : [8, 16n, 16, ':'];
  const out: string[] = [];
  for (let i = groups - 1; i >= 0; i--) out.push(((value >> (BigInt(i) * width)) & ((1n << width) - 1n)).toString(base));
  return out.join(sep);
}
