import { createHash } from 'node:crypto';

/** Deterministic id from parts: a replayed input yields the same ids, which keeps effects idempotent. */
export function stableId(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u001f')).digest('hex').slice(0, 24);
}
