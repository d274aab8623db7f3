// Reading `nft -j list ...` output: set elements with their remaining time, and rule counters.
// Pure; shapes follow libnftables-json(5) as printed by nft 1.0.
import { canonical } from './nft-element';

export interface ListedElement {
  /** canonical text, comparable with NftElement.text */
  text: string;
  /** seconds left before the kernel removes it; undefined for an element without timeout */
  expiresInSeconds?: number;
}

type Json = unknown;

export function parseSetElements(output: string): ListedElement[] {
  return [...parseSets(output).values()].flat();
}

/** The elements of every set in the output (`nft -j list table ...` lists them all), by set name. */
export function parseSets(output: string): Map<string, ListedElement[]> {
  const sets = new Map<string, ListedElement[]>();
  for (const obj of objects(output)) {
    const set = field(obj, 'set');
    const name = field(set, 'name');
    if (typeof name !== 'string') continue;
    const found: ListedElement[] = sets.get(name) ?? [];
    sets.set(name, found);
    const elems = field(set, 'elem');
    if (!Array.isArray(elems)) continue;
    for (const raw of elems) {
      // an element with attributes is wrapped: { elem: { val, timeout, expires } }
      const wrapped = field(raw, 'elem');
      const val = wrapped === undefined ? raw : field(wrapped, 'val');
      const text = valueText(val);
      const c = text === undefined ? undefined : canonical(text);
      if (c === undefined) continue;
      const expires = field(wrapped, 'expires');
      found.push(typeof expires === 'number' ? { text: c, expiresInSeconds: expires } : { text: c });
    }
  }
  return sets;
}

/** Packet counters of rules by their comment. */
export function parseRuleCounters(output: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const obj of objects(output)) {
    const rule = field(obj, 'rule');
    const comment = field(rule, 'comment');
    const expr = field(rule, 'expr');
    if (typeof comment !== 'string' || !Array.isArray(expr)) continue;
    for (const e of expr) {
      const packets = field(field(e, 'counter'), 'packets');
      if (typeof packets === 'number') counters.set(comment, packets);
    }
  }
  return counters;
}

function valueText(val: Json): string | undefined {
  if (typeof val === 'string') return val;
  const prefix = field(val, 'prefix');
  const addr = field(prefix, 'addr');
  const len = field(prefix, 'len');
  return typeof addr === 'string' && typeof len === 'number' ? `${addr}/${len}` : undefined;
}

function objects(output: string): Json[] {
  const doc: Json = JSON.parse(output);
  const list = field(doc, 'nftables');
  return Array.isArray(list) ? list : [];
}

function field(obj: Json, name: string): Json {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj) ? (obj as Record<string, Json>)[name] : undefined;
}
