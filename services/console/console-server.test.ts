import { systemClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import { CSP } from './http-util';
import { hashPassword, verifyPassword } from './password';
import { startConsoleServer, type ApiRoute, type ConsoleServer } from './console-server';
import { UserDirectory } from './users';

const TOKEN = 'api-token-0123456789abcdef';

async function server(): Promise<{ s: ConsoleServer; acted: string[] }> {
  const users = await UserDirectory.fromConfig(
    [
      { name: 'ana', role: 'operator', password_hash: await hashPassword('operator-pass-1') },
      { name: 'val', role: 'viewer', password_hash: await hashPassword('viewer-pass-12') },
      { name: 'bot', role: 'operator', token_env: 'BOT_TOKEN' },
    ],
    { BOT_TOKEN: TOKEN },
  );
  const acted: string[] = [];
  const routes: Record<string, ApiRoute> = {
    'GET /api/thing': { permission: 'read', handle: async ({ caller }) => ({ status: 200, json: { user: caller.user.name, csrf: caller.session?.csrf } }) },
    'POST /api/act': {
      permission: 'act',
      handle: async ({ caller }) => {
        acted.push(caller.user.name);
        return { status: 202, json: {} };
      },
    },
  };
  const s = await startConsoleServer({ listen: '127.0.0.1:0', users, sessionSeconds: 60, routes, clock: systemClock, log: silentLogger });
  return { s, acted };
}

async function login(url: string, user: string, password: string): Promise<{ status: number; cookie: string; csrf?: string }> {
  const res = await fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }) });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  if (res.status !== 200) return { status: res.status, cookie };
  const me = (await (await fetch(`${url}/api/thing`, { headers: { cookie } })).json()) as { csrf: string };
  return { status: 200, cookie, csrf: me.csrf };
}

describe('console server', () => {
  let s: ConsoleServer;
  let acted: string[];
  beforeEach(async () => ({ s, acted } = await server()));
  afterEach(async () => s.close());

  it('serves nothing but the login page without a session, with a CSP that forbids inline scripts', async () => {
    const page = await fetch(`${s.url}/`, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login']);
    expect((await fetch(`${s.url}/api/thing`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/act`, { method: 'POST' })).status).toBe(401);
    const login = await fetch(`${s.url}/login`);
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toBe(CSP);
    expect(CSP).toMatch(/script-src 'self';/);
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, and answers a wrong password like an unknown user', async () => {
    const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ana', password: 'operator-pass-1' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^callsentry_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60$/);
    const wrong = await login(s.url, 'ana', 'nope');
    const unknown = await login(s.url, 'nobody', 'nope');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
  });

  it('requires the CSRF token and our own origin on every POST of a session', async () => {
    const { cookie, csrf } = await login(s.url, 'ana', 'operator-pass-1');
    const post = (headers: Record<string, string>) => fetch(`${s.url}/api/act`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf!, origin: 'http://evil.example' })).status).toBe(403);
    expect(acted).toEqual([]);
    expect((await post({ 'x-csrf-token': csrf! })).status).toBe(202);
    expect(acted).toEqual(['ana']);
  });

  it('refuses a viewer what needs the operator role', async () => {
    const { cookie, csrf } = await login(s.url, 'val', 'viewer-pass-12');
    const res = await fetch(`${s.url}/api/act`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf!, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'viewer may not do this (needs act)' });
    expect(acted).toEqual([]);
  });

  it('takes an API token instead of a session (no CSRF: browsers never send it by themselves)', async () => {
    const res = await fetch(`${s.url}/api/act`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(202);
    expect(acted).toEqual(['bot']);
    expect((await fetch(`${s.url}/api/thing`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  });

  it('limits login attempts per user name: the right password is refused too once the limit is reached', async () => {
    for (let i = 0; i < 5; i++) expect((await login(s.url, 'ana', `guess-${i}`)).status).toBe(401);
    const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ana', password: 'operator-pass-1' }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(s.url, 'val', 'viewer-pass-12')).status).toBe(200);
  });

  it('200 wrong passwords in parallel get at most the limit of tries, and a viewer login does not reset them', async () => {
    const tries = Array.from({ length: 200 }, (_, i) => fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ana', password: `guess-${i}` }) }).then((r) => r.status));
    const statuses = await Promise.all(tries);
    expect(statuses.filter((c) => c === 401)).toHaveLength(5);
    expect(statuses.filter((c) => c === 429)).toHaveLength(195);
    expect((await login(s.url, 'val', 'viewer-pass-12')).status).toBe(200);
    expect((await login(s.url, 'ana', 'operator-pass-1')).status).toBe(429);
  });

  it('ends a session at logout', async () => {
    const { cookie, csrf } = await login(s.url, 'ana', 'operator-pass-1');
    const out = await fetch(`${s.url}/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf!, 'content-type': 'application/json' }, body: '{}' });
    expect(out.status).toBe(200);
    expect((await fetch(`${s.url}/api/thing`, { headers: { cookie } })).status).toBe(401);
  });

  it('will not serve plain HTTP beyond loopback', async () => {
    await expect(startConsoleServer({ listen: '0.0.0.0:0', users: await UserDirectory.fromConfig([], {}), sessionSeconds: 60, routes: {}, clock: systemClock, log: silentLogger })).rejects.toThrow(
      /not loopback and no certificate is configured: set console.tls.cert_file and key_file/,
    );
  });
});

describe('console users', () => {
  it('hashes passwords with scrypt and verifies them', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct horsE', h)).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(h);
  });

  it('refuses configurations that could never log in or that leak', async () => {
    await expect(UserDirectory.fromConfig([{ name: 'a', role: 'admin' }], {})).rejects.toThrow(/neither password_hash nor token_env/);
    await expect(UserDirectory.fromConfig([{ name: 'a', role: 'admin', password_hash: 'scrypt$plain' }], {})).rejects.toThrow(/not a scrypt hash; make one with `callsentry console hash-password`/);
    await expect(UserDirectory.fromConfig([{ name: 'a', role: 'admin', token_env: 'T' }], {})).rejects.toThrow(/T, which is not set/);
  });

  it('makes a one-time admin whose password works once generated', async () => {
    const { users, password } = await UserDirectory.oneTimeAdmin();
    expect(password).toMatch(/^[\w-]{16}$/);
    expect(await users.login('admin', password)).toEqual({ name: 'admin', role: 'admin' });
    expect(await users.login('admin', 'x')).toBeUndefined();
  });
});

describe('console over HTTPS', () => {
  it('serves HTTPS with a configured certificate, and its session cookie is Secure with the __Host- prefix', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const https = await import('node:https');
    const dir = mkdtempSync(path.join(tmpdir(), 'console-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    const users = await UserDirectory.fromConfig([{ name: 'ana', role: 'operator', password_hash: await hashPassword('operator-pass-1') }], {});
    const s = await startConsoleServer({ listen: '0.0.0.0:0', tls: { cert: readFileSync(`${dir}/cert.pem`), key: readFileSync(`${dir}/key.pem`) }, users, sessionSeconds: 60, routes: {}, clock: systemClock, log: silentLogger });
    try {
      expect(s.url).toMatch(/^https:\/\//);
      const port = new URL(s.url).port;
      const res = await new Promise<{ status: number; cookie: string; hsts: string }>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, path: '/login', method: 'POST', ca: readFileSync(`${dir}/cert.pem`), headers: { 'content-type': 'application/json' } }, (r) => {
          r.resume();
          resolve({ status: r.statusCode!, cookie: String(r.headers['set-cookie']?.[0]), hsts: String(r.headers['strict-transport-security']) });
        });
        req.on('error', reject);
        req.end(JSON.stringify({ user: 'ana', password: 'operator-pass-1' }));
      });
      expect(res.status).toBe(200);
      expect(res.cookie).toMatch(/^__Host-callsentry_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=60; Secure$/);
      expect(res.hsts).toMatch(/max-age=/);
    } finally {
      await s.close();
    }
  });
});
