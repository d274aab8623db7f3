// The nft script text for callsentry's own table: pure functions, no I/O. Every value that reaches
// a script is either a validated option or an NftElement (re-printed from numbers), never raw input.
import type { Family, NftElement, Shape } from './nft-element';

/**
 * block: drop every packet of a source; limit: drop what a source sends over its rate; aggregate:
 * drop the UDP a destination (ours) receives over its rate, whoever sends it: the answer to a flood
 * from many, possibly forged, sources (connection-oriented traffic has proven its source and passes)
 */
export type SetKind = 'block' | 'limit' | 'aggregate';

export interface RulesetOptions {
  /** table in the inet family, ours alone; default `callsentry` */
  table?: string;
  /** hook priority of our chains; default -10, before the usual filter chains at 0 */
  priority?: number;
  /** per-source rate allowed to addresses in a limit set; default 50 packets/s, burst 100 */
  rateLimit?: { packetsPerSecond: number; burst: number };
  /** UDP rate allowed to each destination in an aggregate set; default 500 packets/s, burst 1000 */
  aggregateLimit?: { packetsPerSecond: number; burst: number };
  /** how long the per-source rate state of a limited address lives after its last packet; default 60 s */
  meterIdleSeconds?: number;
}

export type Ruleset = Required<RulesetOptions>;

export const KINDS: readonly SetKind[] = ['block', 'limit', 'aggregate'];
const SHAPES: readonly Shape[] = ['addr', 'net'];
const FAMILIES: readonly Family[] = [4, 6];
const CHAINS = ['input', 'forward'] as const;

export function resolveRuleset(o: RulesetOptions = {}): Ruleset {
  const r: Ruleset = {
    table: o.table ?? 'callsentry',
    priority: o.priority ?? -10,
    rateLimit: o.rateLimit ?? { packetsPerSecond: 50, burst: 100 },
    aggregateLimit: o.aggregateLimit ?? { packetsPerSecond: 500, burst: 1000 },
    meterIdleSeconds: o.meterIdleSeconds ?? 60,
  };
  if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(r.table)) throw new Error(`bad nftables table name: ${JSON.stringify(r.table)}`);
  if (!Number.isInteger(r.priority) || Math.abs(r.priority) > 1000) throw new Error(`bad chain priority: ${r.priority}`);
  for (const { packetsPerSecond, burst } of [r.rateLimit, r.aggregateLimit]) {
    if (!isCount(packetsPerSecond, 1) || !isCount(burst, 0)) throw new Error('rate limit needs integer packetsPerSecond >= 1 and burst >= 0');
  }
  if (!isCount(r.meterIdleSeconds, 1)) throw new Error('meterIdleSeconds must be an integer >= 1');
  return r;
}

export function setName(kind: SetKind, shape: Shape, family: Family): string {
  return `${kind}_${shape}${family}`;
}

export function elementSet(kind: SetKind, e: NftElement): string {
  return setName(kind, e.shape, e.family);
}

/** Every set we own that holds decisions (the rate meters are kernel state, not decisions). */
export function decisionSets(): Array<{ kind: SetKind; shape: Shape; family: Family; name: string }> {
  return KINDS.flatMap((kind) => SHAPES.flatMap((shape) => FAMILIES.map((family) => ({ kind, shape, family, name: setName(kind, shape, family) }))));
}

/** Comment on each drop rule, so counters can be read back by name: `input block_addr4`. */
export function ruleComment(chain: string, set: string): string {
  return `${chain} ${set}`;
}

/**
 * Creates what is missing and replaces our rules, all in one transaction. `add` is idempotent for
 * tables, sets and chains, so a restart keeps every live element; rules are flushed and re-added
 * because nft has no "add rule if absent" (counters restart from zero).
 */
export function initScript(r: Ruleset): string {
  const t = `inet ${r.table}`;
  const lines = [`add table ${t}`];
  for (const s of decisionSets()) {
    const flags = s.shape === 'net' ? 'interval, timeout' : 'timeout';
    lines.push(`add set ${t} ${s.name} { type ${addrType(s.family)}; flags ${flags}; }`);
  }
  for (const f of FAMILIES) {
    for (const m of [meterName(f), aggregateMeterName(f)]) lines.push(`add set ${t} ${m} { type ${addrType(f)}; flags dynamic, timeout; timeout ${r.meterIdleSeconds}s; }`);
  }
  for (const chain of CHAINS) {
    lines.push(`add chain ${t} ${chain} { type filter hook ${chain} priority ${r.priority}; policy accept; }`);
    lines.push(`flush chain ${t} ${chain}`);
    for (const s of decisionSets()) lines.push(`add rule ${t} ${chain} ${ruleBody(r, s)} comment "${ruleComment(chain, s.name)}"`);
  }
  return lines.join('\n') + '\n';
}

export interface Upsert {
  kind: SetKind;
  element: NftElement;
  ttlSeconds: number;
}

/**
 * Adds elements or renews them with a fresh timeout. Whether `add element` refreshes the timeout of
 * an element that exists depends on the kernel; add (a no-op if present), delete, add with the
 * timeout does the same on every kernel and never fails on a missing element.
 */
export function upsertScript(r: Ruleset, items: Upsert[]): string {
  return items
    .flatMap(({ kind, element, ttlSeconds }) => {
      if (!isCount(ttlSeconds, 1)) throw new Error(`timeout must be a whole number of seconds >= 1, got ${ttlSeconds}`);
      const target = `inet ${r.table} ${elementSet(kind, element)}`;
      return [`add element ${target} { ${element.text} }`, `delete element ${target} { ${element.text} }`, `add element ${target} { ${element.text} timeout ${ttlSeconds}s }`];
    })
    .join('\n') + '\n';
}

/** Deletes elements; adding first makes a delete of an absent element a no-op instead of a failed batch. */
export function deleteScript(r: Ruleset, items: Array<{ kind: SetKind; element: NftElement }>): string {
  return items
    .flatMap(({ kind, element }) => {
      const target = `inet ${r.table} ${elementSet(kind, element)}`;
      return [`add element ${target} { ${element.text} }`, `delete element ${target} { ${element.text} }`];
    })
    .join('\n') + '\n';
}

function ruleBody(r: Ruleset, s: { kind: SetKind; family: Family; name: string }): string {
  const ip = s.family === 4 ? 'ip' : 'ip6';
  if (s.kind === 'block') return `${ip} saddr @${s.name} counter drop`;
  if (s.kind === 'limit') {
    const { packetsPerSecond: pps, burst } = r.rateLimit;
    return `${ip} saddr @${s.name} update @${meterName(s.family)} { ${ip} saddr limit rate over ${pps}/second burst ${burst} packets } counter drop`;
  }
  const { packetsPerSecond: pps, burst } = r.aggregateLimit;
  return `meta l4proto udp ${ip} daddr @${s.name} update @${aggregateMeterName(s.family)} { ${ip} daddr limit rate over ${pps}/second burst ${burst} packets } counter drop`;
}

function aggregateMeterName(f: Family): string {
  return `aggregate_meter${f}`;
}

function meterName(f: Family): string {
  return `limit_meter${f}`;
}

function addrType(f: Family): string {
  return f === 4 ? 'ipv4_addr' : 'ipv6_addr';
}

function isCount(n: number, min: number): boolean {
  return Number.isSafeInteger(n) && n >= min;
}
