// The keys an auditor trusts: public keys given to verify (--public-key), the public half of the
// configured signing key, and fingerprints pinned in audit.trusted_keys_file. A key shipped inside
// an export is trusted only if its fingerprint is one of these: whoever rewrites an export can ship
// a key of their own with it.
import type { KeyObject } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CallsentryError } from '../core/errors';
import { fingerprint } from './signing';

export interface TrustedKeys {
  /** keys at hand (their fingerprints are trusted too) */
  keys: KeyObject[];
  /** SHA-256 (hex, of the DER SPKI) of every trusted key, pinned or at hand */
  fingerprints: ReadonlySet<string>;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

export function trustedKeys(keys: KeyObject[], pinned: Iterable<string> = []): TrustedKeys {
  return { keys, fingerprints: new Set([...pinned, ...keys.map(fingerprint)]) };
}

/** Fingerprints pinned in the file: one per line, first word; `#` comments. A missing file pins nothing. */
export function readPins(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CallsentryError('AUDIT_KEY', `cannot read the trusted audit keys ${file}: ${(err as Error).message}`, { cause: err });
  }
  const pins: string[] = [];
  text.split('\n').forEach((line, i) => {
    const word = line.trim().split(/\s+/)[0];
    if (!word || word.startsWith('#')) return;
    if (!FINGERPRINT.test(word)) throw new CallsentryError('AUDIT_KEY', `${file} line ${i + 1}: not a key fingerprint (64 hex digits)`);
    pins.push(word);
  });
  return pins;
}

/** Pins a key (first use); returns false when it was pinned already. */
export function pinKey(file: string, key: KeyObject, note: string): boolean {
  const fp = fingerprint(key);
  if (readPins(file).includes(fp)) return false;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${fp} ${note.replace(/[\r\n]+/g, ' ')}\n`, { mode: 0o644 });
  return true;
}
