// Small HTTP helpers for the console server: security headers on every answer, JSON in and out,
// cookies. The Content-Security-Policy allows scripts, styles and connections from the console's
// own origin only: no inline script runs, whatever a SIP header managed to put on the page.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(res: ServerResponse, tls: boolean): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cache-control', 'no-store');
  if (tls) res.setHeader('strict-transport-security', 'max-age=31536000');
}

export function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(json));
}

export class BadRequest extends Error {}

const MAX_BODY = 16 * 1024;

/** A browser's JSON request: the content type is required (a form post from another site cannot set it). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new BadRequest('send JSON (content-type: application/json)');
  return readJsonBody(req);
}

/** A JSON object body of at most 16 KiB; anything else is a BadRequest. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new BadRequest(`request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new BadRequest('request body must be a JSON object');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadRequest('request body must be a JSON object');
  return v as Record<string, unknown>;
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** The session cookie: HttpOnly, SameSite=Strict, and Secure with the __Host- prefix under HTTPS. */
export function sessionCookieName(tls: boolean): string {
  return tls ? '__Host-callsentry_session' : 'callsentry_session';
}

export function sessionCookie(tls: boolean, value: string, maxAgeSeconds: number): string {
  return `${sessionCookieName(tls)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${tls ? '; Secure' : ''}`;
}
