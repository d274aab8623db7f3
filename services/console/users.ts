// The console's users, from configuration (console.users): a name, a role, and a scrypt password
// hash and/or an API token read from the environment. With none configured, one admin with a
// generated one-time password, so that even the embedded default is never anonymous.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleSettings } from '../core/config';
import { CallsentryError } from '../core/errors';
import { hashPassword, parseHash, verifyPassword } from './password';
import type { Role } from './roles';

export interface User {
  name: string;
  role: Role;
}

interface Entry extends User {
  passwordHash?: string;
  tokenDigest?: Buffer;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class UserDirectory {
  private constructor(
    private readonly entries: Entry[],
    // unknown names are checked against this, so a login takes as long whether the name exists or not
    private readonly decoy: string,
  ) {}

  static async fromConfig(users: ConsoleSettings['users'], env: NodeJS.ProcessEnv): Promise<UserDirectory> {
    const entries: Entry[] = users.map((u) => {
      if (u.password_hash !== undefined && !parseHash(u.password_hash)) {
        throw new CallsentryError('BAD_CONFIG', `console.users ${u.name}: password_hash is not a scrypt hash; make one with \`callsentry console hash-password\``);
      }
      const token = u.token_env ? env[u.token_env] : undefined;
      if (u.token_env && !token) throw new CallsentryError('BAD_CONFIG', `console.users ${u.name}: token_env names ${u.token_env}, which is not set`);
      if (!u.password_hash && !token) throw new CallsentryError('BAD_CONFIG', `console.users ${u.name} has neither password_hash nor token_env: it could never log in`);
      if (token !== undefined && token.length < 16) throw new CallsentryError('BAD_CONFIG', `console.users ${u.name}: the token in ${u.token_env} is shorter than 16 characters`);
      return { name: u.name, role: u.role, passwordHash: u.password_hash, tokenDigest: token ? digest(token) : undefined };
    });
    const names = new Set<string>();
    for (const e of entries) {
      if (names.has(e.name)) throw new CallsentryError('BAD_CONFIG', `console.users: ${e.name} is listed twice`);
      names.add(e.name);
    }
    return new UserDirectory(entries, await hashPassword(randomBytes(16).toString('hex')));
  }

  /** The embedded default: one admin whose password exists only in this process and on the terminal. */
  static async oneTimeAdmin(): Promise<{ users: UserDirectory; password: string }> {
    const password = randomBytes(12).toString('base64url');
    const hash = await hashPassword(password);
    return { users: new UserDirectory([{ name: 'admin', role: 'admin', passwordHash: hash }], hash), password };
  }

  get size(): number {
    return this.entries.length;
  }

  async login(name: string, password: string): Promise<User | undefined> {
    const e = this.entries.find((x) => x.name === name);
    const ok = await verifyPassword(password, e?.passwordHash ?? this.decoy);
    return ok && e?.passwordHash ? { name: e.name, role: e.role } : undefined;
  }

  byToken(token: string): User | undefined {
    const d = digest(token);
    const e = this.entries.find((x) => x.tokenDigest && timingSafeEqual(x.tokenDigest, d));
    return e ? { name: e.name, role: e.role } : undefined;
  }
}
