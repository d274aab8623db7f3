// Number prefix lists (IRSF, premium, satellite ranges): longest-prefix match of international
// digits against a set, and the one place a list is read from a file, at configuration time.
import { readFileSync } from 'node:fs';
import { CallsentryError } from '../core/errors';

/** E.164 has at most 15 digits, so no prefix is longer. */
const MAX_PREFIX_DIGITS = 15;

// compiled once per list: settings objects live as long as the engine, lookups happen per record
const compiled = new WeakMap<readonly string[], ReadonlySet<string>>();

/** The longest prefix of `digits` in `list`, or undefined. */
export function longestPrefix(digits: string, list: readonly string[]): string | undefined {
  let set = compiled.get(list);
  if (!set) compiled.set(list, (set = new Set(list)));
  for (let n = Math.min(digits.length, MAX_PREFIX_DIGITS); n > 0; n--) {
    const p = digits.slice(0, n);
    if (set.has(p)) return p;
  }
  return undefined;
}

/**
 * Reads prefixes from a file: a CSV with a `prefix` column (rows whose `whitelist` column is 1 are
 * left out), or plain text with one prefix per line. Blank lines and `#` comments are skipped;
 * a `+` or `00` in front of a prefix is dropped.
 */
export function readPrefixFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CallsentryError('BAD_CONFIG', `prefix_file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const header = lines[0]?.toLowerCase().split(',').map((h) => h.trim()) ?? [];
  const column = header.indexOf('prefix');
  const allow = header.indexOf('whitelist');
  const rows = column >= 0 ? lines.slice(1).map((l) => l.split(',')) : lines.map((l) => [l]);
  const out: string[] = [];
  rows.forEach((cells, i) => {
    if (allow >= 0 && cells[allow]?.trim() === '1') return;
    const raw = (cells[column >= 0 ? column : 0] ?? '').trim().replace(/^(\+|00)/, '');
    if (!/^\d{1,15}$/.test(raw)) {
      throw new CallsentryError('BAD_CONFIG', `prefix_file ${file}: line ${i + (column >= 0 ? 2 : 1)} is not a number prefix: ${JSON.stringify(raw.slice(0, 40))}`);
    }
    out.push(raw);
  });
  return out;
}
