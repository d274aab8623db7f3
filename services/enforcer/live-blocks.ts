// The enforcer's desired state: what it has applied and until when, with the reason. Reconciliation
// makes the enforcement points hold it again; operators list it; max-live-blocks counts it.
import { canonicalOr } from '../core/ip-address';
import type { Decision } from '../core/records';

export interface LiveBlock {
  decision: Decision;
  expiresAt: number;
}

/** Addresses by their canonical text: what an enforcement point lists may be spelt otherwise. */
export const targetKey = (d: Pick<Decision, 'scope' | 'target'>): string => `${d.scope} ${d.target.type}:${d.target.type === 'ip' ? canonicalOr(d.target.value) : d.target.value}`;

export class LiveBlocks {
  private readonly blocks = new Map<string, LiveBlock>();

  /** `onExpire` hears of each block whose time ran out (the enforcement point expired it too) */
  constructor(private readonly onExpire: (b: LiveBlock) => void = () => undefined) {}

  get(d: Pick<Decision, 'scope' | 'target'>, now: number): LiveBlock | undefined {
    const b = this.blocks.get(targetKey(d));
    if (b && b.expiresAt <= now) {
      this.blocks.delete(targetKey(d));
      this.onExpire(b);
      return undefined;
    }
    return b;
  }

  /** A renewal keeps the later of the two expiries: a repeated decision never shortens a block. */
  put(d: Decision, now: number): LiveBlock {
    const expiresAt = Math.max(now + d.ttl_seconds * 1000, this.get(d, now)?.expiresAt ?? 0);
    const b = { decision: d, expiresAt };
    this.blocks.set(targetKey(d), b);
    return b;
  }

  delete(d: Pick<Decision, 'scope' | 'target'>): boolean {
    return this.blocks.delete(targetKey(d));
  }

  all(now: number): LiveBlock[] {
    for (const [k, b] of this.blocks) {
      if (b.expiresAt > now) continue;
      this.blocks.delete(k);
      this.onExpire(b);
    }
    return [...this.blocks.values()];
  }

  count(now: number): number {
    return this.all(now).length;
  }
}
