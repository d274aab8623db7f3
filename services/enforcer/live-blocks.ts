// The enforcer's desired state: what it has applied and until when, with the reason. Reconciliation
// makes the enforcement points hold it again; operators list it; max-live-blocks counts it.
import { canonicalOr } from '../core/ip-address';
import type { Decision } from '../core/records';

export interface LiveBlock {
  /** the decision the block is for: its reason and evidence (a renewal adds its findings) */
  decision: Decision;
  expiresAt: number;
  /** operators' renewals, oldest first (at most MAX_NOTES) */
  notes?: LiveNote[];
}

/** An operator's renewal (extend) of a live block: added beside the original reason, never instead of it. */
export interface LiveNote {
  who: string;
  why: string;
  ticket: string;
  at: string;
  ttl_seconds: number;
}

const MAX_NOTES = 20;
const MAX_FINDINGS = 50;

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

  /**
   * A renewal keeps the later of the two expiries (a repeated decision never shortens a block) and
   * what the block is for: the first decision's reason and evidence, with the renewal's findings
   * added and an operator's note beside them. Another action (a rate limit become a block) replaces it.
   */
  put(d: Decision, now: number): LiveBlock {
    const prev = this.get(d, now);
    const expiresAt = Math.max(now + d.ttl_seconds * 1000, prev?.expiresAt ?? 0);
    let b: LiveBlock = { decision: d, expiresAt };
    if (prev && prev.decision.action === d.action) {
      const findings = [...new Set([...prev.decision.finding_ids, ...d.finding_ids])].slice(-MAX_FINDINGS);
      const note = d.operator ? [{ ...d.operator, at: d['@timestamp'], ttl_seconds: d.ttl_seconds }] : [];
      const notes = [...(prev.notes ?? []), ...note].slice(-MAX_NOTES);
      b = { decision: { ...prev.decision, finding_ids: findings }, expiresAt, ...(notes.length ? { notes } : {}) };
    }
    this.blocks.set(targetKey(d), b);
    return b;
  }

  /** true when something was live (and is no longer) */
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
