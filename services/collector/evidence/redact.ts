// Masks the secrets of one SIP message before it leaves the collector as evidence. Every masked
// character becomes '*' and nothing is inserted or removed, so the message keeps its length, its
// Content-Length still holds and the bytes can be framed again into a pcap (export.ts).
//
// What is a secret:
//   Authorization / Proxy-Authorization  Digest: every parameter value except the public ones
//                                        (username, realm, nonce, uri, algorithm, qop, nc, cnonce,
//                                        opaque); any other scheme (Basic, Bearer, NTLM ...): all
//                                        of it after the scheme name
//   Authentication-Info (and Proxy-)     rspauth, the server's proof
//   headers named like a credential      the whole value (X-Auth-Token, P-Api-Key, X-Password ...)
//   sip:user:password@host               the password of a URI, anywhere in the header section
//   ?Authorization=... URI headers       the escaped credentials an attacker smuggles in a URI
//   SDP a=crypto inline:KEY, a=key-mgmt, k=   media keys
//
// Header lines are read as the parser reads them: names in any case, folded continuation lines
// belong to the header above, whitespace before the colon is allowed. Only the text is looked at,
// never trusted: a message that does not parse as SIP is still masked as far as it can be read.

const SAFE_DIGEST_PARAMS: ReadonlySet<string> = new Set(['username', 'realm', 'nonce', 'uri', 'algorithm', 'qop', 'nc', 'cnonce', 'opaque', 'userhash']);
const SAFE_INFO_PARAMS: ReadonlySet<string> = new Set(['nextnonce', 'qop', 'nc', 'cnonce']);
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);
const INFO_HEADERS: ReadonlySet<string> = new Set(['authentication-info', 'proxy-authentication-info']);
/** any other header whose name says it carries a credential */
const SECRET_NAME = /(token|secret|passw|passwd|pwd|api-?key|credential|cookie)/i;

/**
 * name = value pairs of an auth header; \s spans folded lines; a quoted value may be unterminated.
 * A name starts only where a token starts (the lookbehind): one attempt per token, linear time on
 * a header of 60 KiB of token characters.
 */
const PARAM = /(?<![A-Za-z0-9_.!%*+`'~-])([A-Za-z0-9_.!%*+`'~-]+)[ \t\r\n]*=[ \t\r\n]*("(?:[^"\\]|\\[\s\S])*"?|[^\s,;"]*)/g;
/** sip:user:password@host (also sips:, and inside <>) */
const URI_PASSWORD = /\bsips?:([^:@\s;<>"]{0,256}):([^@\s;<>"]{0,256})@/gi;
/** escaped credentials in URI headers: <sip:b@x?Authorization=Digest%20response%3D...> */
const URI_HEADER_CREDENTIALS = /[?&](?:proxy-)?authorization=([^&>\s"]*)/gi;
const SDP_CRYPTO_KEY = /inline:([^|\s]+)/gi;
const SDP_KEY_MGMT = /^a=key-mgmt:[ \t]*\S+[ \t]+(.*)$/gim;
const SDP_K_LINE = /^k=(.*)$/gim;

export interface Redacted {
  /** the same bytes, secrets replaced by '*' */
  bytes: Buffer;
  /** what was masked (sorted, unique): authorization.response, uri.password, sdp.crypto ... */
  masked: string[];
}

export function redactSipMessage(raw: Buffer): Redacted {
  // latin1: one char per byte, so string offsets are byte offsets and the result is the same length
  const chars = raw.toString('latin1').split('');
  const text = raw.toString('latin1');
  const masked = new Set<string>();
  const mask = (from: number, to: number, what: string): void => {
    let any = false;
    for (let i = from; i < to; i++) {
      const c = chars[i];
      if (c === '\r' || c === '\n' || c === ' ' || c === '\t' || c === '"') continue;
      chars[i] = '*';
      any = true;
    }
    if (any) masked.add(what);
  };

  const end = headerEnd(text);
  const head = text.slice(0, end);
  for (const h of logicalHeaders(head)) {
    const value = head.slice(h.valueStart, h.end);
    if (CREDENTIAL_HEADERS.has(h.name)) maskAuthorization(value, h.valueStart, h.name, mask);
    else if (INFO_HEADERS.has(h.name)) maskParams(value, h.valueStart, SAFE_INFO_PARAMS, `${h.name}`, mask);
    else if (SECRET_NAME.test(h.name)) mask(h.valueStart, h.end, 'header.credential');
  }
  for (const m of head.matchAll(URI_PASSWORD)) {
    const passStart = m.index! + m[0].length - 1 - m[2]!.length;
    mask(passStart, passStart + m[2]!.length, 'uri.password');
  }
  for (const m of head.matchAll(URI_HEADER_CREDENTIALS)) {
    const valueStart = m.index! + m[0].length - m[1]!.length;
    mask(valueStart, valueStart + m[1]!.length, 'uri.authorization');
  }

  const body = text.slice(end);
  for (const m of body.matchAll(SDP_CRYPTO_KEY)) {
    const at = end + m.index! + 'inline:'.length;
    mask(at, at + m[1]!.length, 'sdp.crypto');
  }
  for (const m of body.matchAll(SDP_KEY_MGMT)) {
    const at = end + m.index! + m[0].length - m[1]!.length;
    mask(at, at + m[1]!.length, 'sdp.key-mgmt');
  }
  for (const m of body.matchAll(SDP_K_LINE)) {
    const at = end + m.index! + 2;
    mask(at, at + m[1]!.length, 'sdp.k');
  }
  return { bytes: Buffer.from(chars.join(''), 'latin1'), masked: [...masked].sort() };
}

type Mask = (from: number, to: number, what: string) => void;

function maskAuthorization(value: string, offset: number, header: string, mask: Mask): void {
  const scheme = /^[ \t\r\n]*([^ \t\r\n,]+)/.exec(value);
  if (!scheme) return;
  const afterScheme = scheme[0].length;
  if (scheme[1]!.toLowerCase() === 'digest') maskParams(value.slice(afterScheme), offset + afterScheme, SAFE_DIGEST_PARAMS, header, mask);
  else mask(offset + afterScheme, offset + value.length, `${header}.${scheme[1]!.toLowerCase().slice(0, 24).replace(/[^a-z0-9-]/g, '')}`);
}

function maskParams(value: string, offset: number, safe: ReadonlySet<string>, header: string, mask: Mask): void {
  for (const m of value.matchAll(PARAM)) {
    const name = m[1]!.toLowerCase();
    if (safe.has(name)) continue;
    const v = m[2]!;
    const at = offset + m.index! + m[0].length - v.length;
    mask(at, at + v.length, `${header}.${name.slice(0, 24).replace(/[^a-z0-9-]/g, '')}`);
  }
}

/** Offset of the blank line that ends the header section (the whole text when there is none). */
function headerEnd(text: string): number {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? m.index + m[0].length : text.length;
}

interface HeaderSpan {
  /** lower-case, trimmed */
  name: string;
  /** just after the colon */
  valueStart: number;
  /** end of the last (folded) line of the header, before its line break */
  end: number;
}

/** Header fields with their folded continuation lines, after the start line. */
function logicalHeaders(head: string): HeaderSpan[] {
  const out: HeaderSpan[] = [];
  let current: HeaderSpan | undefined;
  let pos = head.indexOf('\n') + 1; // skip the start line
  if (pos === 0) return out;
  while (pos < head.length) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = head.length;
    const lineEnd = nl > pos && head[nl - 1] === '\r' ? nl - 1 : nl;
    const first = head[pos];
    if (lineEnd === pos) break; // the blank line
    if ((first === ' ' || first === '\t') && current) current.end = lineEnd;
    else {
      const colon = head.indexOf(':', pos);
      current = colon >= 0 && colon < lineEnd ? { name: head.slice(pos, colon).trim().toLowerCase(), valueStart: colon + 1, end: lineEnd } : undefined;
      if (current) out.push(current);
    }
    pos = nl + 1;
  }
  return out;
}
