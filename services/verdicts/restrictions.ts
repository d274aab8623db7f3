// Active blocks (addresses and ranges) and suspended accounts, each with its expiry, reason and the
// findings behind it. Addresses are looked up by their canonical text; ranges are few and scanned.
import { canonicalOr } from '../core/ip-address';
import { cidrContains, parseCidr, type Cidr } from '../core/cidr';

export interface Restriction {
  until: number;
  reason: string;
  finding_ids: string[];
  /** the decision that set it, when one did (a flag from a finding has none) */
  decision_id?: string;
}

const MAX_FINDING_IDS = 10;

export class RestrictionTable {
  private readonly exact = new Map<string, Restriction>();
  private readonly ranges = new Map<string, { cidr: Cidr; r: Restriction }>();

  /** Sets or extends (the later expiry wins; finding ids accumulate, bounded). */
  put(key: string, r: Restriction, isRange = false): void {
    if (isRange) {
      let cidr: Cidr;
      try {
        cidr = parseCidr(key);
      } catch {
        return;
      }
      const had = this.ranges.get(cidr.text);
      this.ranges.set(cidr.text, { cidr, r: merge(had?.r, r) });
      return;
    }
    const k = canonicalOr(key);
    this.exact.set(k, merge(this.exact.get(k), r));
  }

  remove(key: string, isRange = false): void {
    if (isRange) {
      try {
        this.ranges.delete(parseCidr(key).text);
      } catch {
        /* not a range: nothing held under it */
      }
    } else this.exact.delete(canonicalOr(key));
  }

  /** The restriction on a key now, if any; an expired one is forgotten. */
  get(key: string, now: number): Restriction | undefined {
    const k = this.exact.size > 0 ? canonicalOr(key) : key;
    const r = this.exact.get(k);
    if (r) {
      if (r.until > now) return r;
      this.exact.delete(k);
    }
    for (const [text, { cidr, r: rr }] of this.ranges) {
      if (rr.until <= now) {
        this.ranges.delete(text);
        continue;
      }
      if (cidrContains(cidr, key)) return rr;
    }
    return undefined;
  }

  get size(): number {
    return this.exact.size + this.ranges.size;
  }
}

function merge(had: Restriction | undefined, r: Restriction): Restriction {
  if (!had) return { ...r, finding_ids: r.finding_ids.slice(0, MAX_FINDING_IDS) };
  const ids = [...new Set([...had.finding_ids, ...r.finding_ids])].slice(-MAX_FINDING_IDS);
  return r.until >= had.until ? { ...r, finding_ids: ids } : { ...had, finding_ids: ids };
}
