// Small scanners over header text. Each is one linear pass with no regex, so a hostile value costs
// at most its length.

const TOKEN_CHARS = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") {
  TOKEN_CHARS[c.charCodeAt(0)] = 1;
}

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** A non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWs(code: number): boolean {
  return code === 32 || code === 9;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index of the quote closing the quoted-string that opens at `open`, honouring \-escapes; -1 if none. */
export function findQuoteEnd(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) i++; // backslash escapes the next character
    else if (c === 34) return i;
  }
  return -1;
}

/** Strip surrounding quotes and \-escapes; text that is not quoted is returned trimmed. */
export function unquote(raw: string): string {
  const s = raw.trim();
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34) return s;
  const inner = s.slice(1, -1);
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(.)/gs, '$1');
}

/**
 * Split on `sep` (a char code) outside quoted strings and <...>, at most `max` parts (the last part
 * keeps the rest). Parts are trimmed; empty parts are kept so callers can flag them.
 */
export function splitTopLevel(s: string, sep: number, max: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < s.length && parts.length < max - 1; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const end = findQuoteEnd(s, i);
      if (end < 0) break; // unterminated quote: the rest is one part
      i = end;
    } else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === sep && !angle) {
      parts.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(s.slice(start).trim());
  return parts;
}

export interface Param {
  /** lower-case */
  name: string;
  value?: string;
}

/**
 * `;name=value;flag` parameters (a leading ';' is optional). LWS around '=' and ';' is allowed
 * (RFC 3261 25.1); quoted values are unquoted. `malformed` is set for empty or nameless
 * parameters. One pass, no intermediate arrays: this runs for every Via, From and To.
 */
export function parseParams(s: string, max = 32): { params: Param[]; malformed: boolean } {
  const params: Param[] = [];
  let malformed = false;
  let i = skipWs(s, 0);
  if (i < s.length && s.charCodeAt(i) === 59) i++;
  if (skipWs(s, i) >= s.length) return { params, malformed: i > 0 && s.trim() === ';' };
  while (i <= s.length && params.length < max) {
    i = skipWs(s, i);
    const nameStart = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 61 || c === 59 || isWs(c)) break;
      i++;
    }
    const rawName = s.slice(nameStart, i);
    i = skipWs(s, i);
    let value: string | undefined;
    if (s.charCodeAt(i) === 61) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 34) {
        const close = findQuoteEnd(s, i);
        const end = close < 0 ? s.length : close + 1;
        value = unquote(s.slice(i, end));
        i = end;
        while (i < s.length && s.charCodeAt(i) !== 59) i++; // anything after the quote is ignored
      } else {
        const valueStart = i;
        while (i < s.length && s.charCodeAt(i) !== 59) i++;
        value = s.slice(valueStart, i).trimEnd();
      }
    } else if (i < s.length && s.charCodeAt(i) !== 59) {
      // "name junk": keep the name, skip to the next parameter
      malformed = true;
      while (i < s.length && s.charCodeAt(i) !== 59) i++;
    }
    if (rawName.length === 0) malformed = true;
    else params.push(value === undefined ? { name: lowerAscii(rawName) } : { name: lowerAscii(rawName), value });
    if (i >= s.length) break;
    i++; // the ';'
    if (skipWs(s, i) >= s.length) {
      malformed = true; // a trailing ';'
      break;
    }
  }
  return { params, malformed };
}

function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

export function paramValue(params: readonly Param[], name: string): string | undefined {
  for (const p of params) if (p.name === name) return p.value;
  return undefined;
}

export function hasParam(params: readonly Param[], name: string): boolean {
  for (const p of params) if (p.name === name) return true;
  return false;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/**
 * Decode %XX escapes (as UTF-8). Text that would decode to control characters (escnull's %00) or
 * that is not valid UTF-8 is returned as written, so nothing downstream has to handle NUL bytes.
 */
export function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 37 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]!);
      const lo = hexValue(src[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        const byte = (hi << 4) | lo;
        if (byte < 0x20 || byte === 0x7f) return s;
        out[n++] = byte;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  const decoded = out.toString('utf8', 0, n);
  return decoded.indexOf('\ufffd') >= 0 ? s : decoded;
}

/**
 * A copy of `s` (clipped to `max`) that shares no memory with the string it was cut from. V8 keeps
 * the whole parent alive for a slice of 13 characters or more, so anything kept for seconds or
 * minutes (transactions, dialog tags, nonces, media endpoints) would pin the 64 KiB header block it
 * came from: with 100,000 open transactions under a flood of padded INVITEs, that is gigabytes.
 */
export function detach(s: string, max = Infinity): string {
  const clipped = s.length > max ? s.slice(0, max) : s;
  return clipped.length < 13 ? clipped : Buffer.from(clipped, 'utf8').toString('utf8');
}
