// name-addr / addr-spec (From, To, Contact, Refer-To) and the few URI parts we key on. Lenient:
// whatever can be read is returned, and `wellFormed` says whether RFC 3261 grammar was respected.
import type { NameAddr, SipUri } from './sip-message';
import { findQuoteEnd, isTokenChar, isWs, paramValue, parseParams, percentDecode, unquote } from './text-scan';

function isSchemeChar(code: number, first: boolean): boolean {
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 122) return true;
  if (first) return false;
  return (code >= 48 && code <= 57) || code === 43 || code === 45 || code === 46;
}

/** Length of the URI scheme at the start of `s` (0 when there is none). */
export function schemeLength(s: string): number {
  let i = 0;
  while (i < s.length && isSchemeChar(s.charCodeAt(i), i === 0)) i++;
  return i > 0 && s.charCodeAt(i) === 58 ? i : 0;
}

function indexOfAny(s: string, from: number, a: number, b: number, c: number): number {
  for (let i = from; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code === a || code === b || code === c) return i;
  }
  return s.length;
}

export function parseUri(raw: string): SipUri | undefined {
  const schemeLen = schemeLength(raw);
  if (schemeLen === 0) return undefined;
  const scheme = raw.slice(0, schemeLen).toLowerCase();
  const rest = raw.slice(schemeLen + 1);
  if (scheme === 'tel') {
    const end = indexOfAny(rest, 0, 59, 63, 63); // ; or ?
    const user = rest.slice(0, end);
    return user.length > 0 ? { scheme, user: percentDecode(user) } : { scheme };
  }
  if (scheme !== 'sip' && scheme !== 'sips') return { scheme };
  const uri: SipUri = { scheme };
  const at = rest.indexOf('@');
  let hostStart = 0;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':'); // user:password; the password is dropped
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user.length > 0) uri.user = percentDecode(user);
    hostStart = at + 1;
  }
  let hostEnd: number;
  if (rest.charCodeAt(hostStart) === 91) {
    const close = rest.indexOf(']', hostStart);
    hostEnd = close < 0 ? rest.length : close + 1;
  } else {
    hostEnd = indexOfAny(rest, hostStart, 58, 59, 63); // : ; ?
  }
  const host = rest.slice(hostStart, hostEnd);
  if (host.length > 0) uri.host = host.toLowerCase();
  if (rest.charCodeAt(hostEnd) === 58) {
    const portEnd = indexOfAny(rest, hostEnd + 1, 59, 63, 62);
    const port = parsePort(rest.slice(hostEnd + 1, portEnd));
    if (port !== undefined) uri.port = port;
  }
  return uri;
}

export function parsePort(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 5) return undefined;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : undefined;
}

/** Unquoted display names are tokens separated by LWS (RFC 3261 25.1). */
function isTokenList(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isTokenChar(c) && !isWs(c)) return false;
  }
  return true;
}

function withUri(addr: NameAddr, uriText: string): void {
  addr.uri = uriText;
  const uri = parseUri(uriText);
  if (!uri) return;
  addr.scheme = uri.scheme;
  if (uri.user !== undefined) addr.user = uri.user;
  if (uri.host !== undefined) addr.host = uri.host;
  if (uri.port !== undefined) addr.port = uri.port;
}

export function parseNameAddr(value: string): { addr: NameAddr; wellFormed: boolean } {
  const s = value.trim();
  const addr: NameAddr = {};
  let wellFormed = true;
  let afterAddr: string;

  let lt: number;
  if (s.charCodeAt(0) === 34) {
    const close = findQuoteEnd(s, 0);
    if (close < 0) return { addr, wellFormed: false };
    addr.display = unquote(s.slice(0, close + 1));
    lt = s.indexOf('<', close + 1);
    if (lt < 0 || s.slice(close + 1, lt).trim().length > 0) return { addr, wellFormed: false };
  } else {
    lt = s.indexOf('<');
    if (lt >= 0) {
      const display = s.slice(0, lt).trim();
      if (display.length > 0) {
        addr.display = display;
        if (!isTokenList(display)) wellFormed = false;
      }
    }
  }

  if (lt >= 0) {
    const gt = s.indexOf('>', lt + 1);
    if (gt < 0) return { addr, wellFormed: false };
    const inner = s.slice(lt + 1, gt);
    const uriText = inner.trim();
    if (uriText.length !== inner.length || uriText.length === 0) wellFormed = false;
    withUri(addr, uriText);
    afterAddr = s.slice(gt + 1);
  } else {
    // addr-spec: parameters after the first ';' belong to the header, not the URI.
    const semi = s.indexOf(';');
    const uriText = (semi < 0 ? s : s.slice(0, semi)).trimEnd(); // LWS may precede the ';'
    for (let i = 0; i < uriText.length; i++) {
      const c = uriText.charCodeAt(i);
      if (c === 63 || c === 44 || isWs(c)) {
        wellFormed = false; // ?, comma or space need <> (RFC 3261 20.10)
        break;
      }
    }
    withUri(addr, uriText);
    afterAddr = semi < 0 ? '' : s.slice(semi);
  }
  if (addr.scheme === undefined) wellFormed = false;

  const rest = afterAddr.trim();
  if (rest.length > 0) {
    if (rest.charCodeAt(0) !== 59) wellFormed = false;
    const { params, malformed } = parseParams(rest);
    if (malformed) wellFormed = false;
    const tag = paramValue(params, 'tag');
    if (tag !== undefined && tag.length > 0) addr.tag = tag;
  }
  return { addr, wellFormed };
}
