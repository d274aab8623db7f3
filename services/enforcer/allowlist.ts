// Ranges never blocked: the configured ones (own data centers, carriers, SBCs, customer trunks,
// monitoring) and those operators add at run time (allowlist.v1), which may expire.
import { CidrSet, parseCidr, type Cidr } from '../core/cidr';
import type { AllowlistEntry } from '../core/records';

export interface AllowlistHit {
  range: string;
  source: 'configuration' | 'operator';
  entry?: AllowlistEntry;
}

export class Allowlist {
  private readonly configured: CidrSet;
  private readonly operator = new Map<string, { set: CidrSet; entry: AllowlistEntry }>();

  constructor(configured: string[]) {
    this.configured = new CidrSet(configured);
  }

  /** The latest record for a range wins; a removed record takes the range out. Throws on a bad range. */
  put(entry: AllowlistEntry): void {
    const range = parseCidr(entry.cidr).text;
    if (entry.removed) this.operator.delete(range);
    else this.operator.set(range, { set: new CidrSet([range]), entry });
  }

  /**
   * The allowlisted range an address lies in; for a range (a network block), one it holds or lies
   * in: blocking 198.51.100.0/24 would shut out an allowlisted 198.51.100.7 as surely as blocking it.
   */
  match(target: string, now: number): AllowlistHit | undefined {
    let wanted: Cidr;
    try {
      wanted = parseCidr(target);
    } catch {
      return undefined;
    }
    const hit = this.configured.overlapping(wanted);
    if (hit) return { range: hit.text, source: 'configuration' };
    for (const [range, { set, entry }] of this.operator) {
      if (entry.expires_at && Date.parse(entry.expires_at) <= now) continue;
      if (set.overlapping(wanted)) return { range, source: 'operator', entry };
    }
    return undefined;
  }

  /** Operator entries still in force. */
  entries(now: number): AllowlistEntry[] {
    return [...this.operator.values()].map((e) => e.entry).filter((e) => !e.expires_at || Date.parse(e.expires_at) > now);
  }
}
