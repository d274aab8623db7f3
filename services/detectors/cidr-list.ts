// Address lists in detector settings (trunks, own proxies): parsed once per list, since settings
// objects live as long as the engine and the test runs per record.
import { CidrSet } from '../core/cidr';

const compiled = new WeakMap<readonly string[], CidrSet>();

function setOf(list: readonly string[]): CidrSet {
  let set = compiled.get(list);
  if (!set) compiled.set(list, (set = new CidrSet([...list])));
  return set;
}

export function inCidrs(ip: string, list: readonly string[]): boolean {
  return list.length > 0 && setOf(list).match(ip) !== undefined;
}

/** Parses a list at start so a bad entry is a configuration error, not a failure on the first record. */
export function checkCidrs(name: string, list: readonly string[]): void {
  try {
    setOf(list);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}
