// The pin file: fingerprints pinned at first use, read back; a line that is no fingerprint is an
// error (a pin file someone edited must not silently trust less, or more, than it says).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fingerprint, generateSigningKey } from './signing';
import { pinKey, readPins, trustedKeys } from './trusted-keys';

const pub = () => createPublicKey(createPrivateKey(generateSigningKey().privatePem));

describe('trusted keys', () => {
  it('pins a key once, in a file that may not exist yet, and reads the pins back', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-pins-')), 'sub', 'pins');
    const [a, b] = [pub(), pub()];
    expect(readPins(file)).toEqual([]);
    expect(pinKey(file, a, 'from a.pem')).toBe(true);
    expect(pinKey(file, a, 'again')).toBe(false);
    expect(pinKey(file, b, 'line\nbreak')).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
    expect(readPins(file)).toEqual([fingerprint(a), fingerprint(b)]);
    expect(trustedKeys([], readPins(file)).fingerprints.has(fingerprint(b))).toBe(true);
  });

  it('refuses a pin file with a line that is not a fingerprint', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-pins-')), 'pins');
    writeFileSync(file, `# auditors' keys\n${fingerprint(pub())} ok\nABCDEF not-a-fingerprint\n`);
    expect(() => readPins(file)).toThrow(/line 3: not a key fingerprint/);
  });
});
