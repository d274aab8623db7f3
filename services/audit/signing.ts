// Ed25519 signatures over export manifests. The private key is read from the file configuration
// names and never logged or copied; exports carry the public key and its fingerprint.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CallsentryError } from '../core/errors';
import { sha256Hex } from './canonical';

export function loadSigningKey(file: string | null | undefined): KeyObject {
  if (!file) throw new CallsentryError('AUDIT_KEY', 'audit.signing_key_file is not set: exports are signed with an Ed25519 key (create one with `callsentry audit keygen --out DIR`)');
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new CallsentryError('AUDIT_KEY', `cannot read the audit signing key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // the parser's message may quote the file: say nothing of its content
    throw new CallsentryError('AUDIT_KEY', `${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CallsentryError('AUDIT_KEY', `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; audit exports are signed with Ed25519`);
  return key;
}

export function loadPublicKey(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} public key, not Ed25519`);
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** SHA-256 of the public key (DER SPKI): what an auditor compares with the published one. */
export function fingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return sha256Hex(pub.export({ type: 'spki', format: 'der' }));
}

export function signBase64(data: Buffer, key: KeyObject): string {
  return sign(null, data, key).toString('base64');
}

export function verifyBase64(data: Buffer, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, data, key, Buffer.from(signature.trim(), 'base64'));
  } catch {
    return false;
  }
}

export function generateSigningKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
