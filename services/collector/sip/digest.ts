// Authorization / WWW-Authenticate parameters. Only the fields a detector may see are copied out:
// username, realm, nonce. The response hash (and cnonce, which helps offline cracking) is skipped
// while scanning, so it never reaches a record, a log or a heap snapshot of a parsed message.
import type { Challenge, Credentials } from './sip-message';
import { findQuoteEnd, isTokenChar, isWs, skipWs } from './text-scan';

const MAX_PARAMS = 64;
const MAX_FIELD = 512;

interface AuthFields {
  scheme: string;
  username?: string;
  realm?: string;
  nonce?: string;
}

function scan(value: string): AuthFields | undefined {
  const s = value;
  let i = skipWs(s, 0);
  const schemeStart = i;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  if (i === schemeStart) return undefined;
  const out: AuthFields = { scheme: s.slice(schemeStart, i) };

  for (let n = 0; n < MAX_PARAMS && i < s.length; n++) {
    while (i < s.length && (isWs(s.charCodeAt(i)) || s.charCodeAt(i) === 44)) i++;
    const nameStart = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    const name = s.slice(nameStart, i).toLowerCase();
    i = skipWs(s, i);
    if (name.length === 0 || s.charCodeAt(i) !== 61) {
      // not name=value: skip to the next comma so one bad parameter does not hide the others
      const comma = s.indexOf(',', i + 1);
      if (comma < 0) break;
      i = comma;
      continue;
    }
    i = skipWs(s, i + 1);
    let fieldValue: string;
    if (s.charCodeAt(i) === 34) {
      const close = findQuoteEnd(s, i);
      const end = close < 0 ? s.length : close;
      fieldValue = s.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < s.length && s.charCodeAt(i) !== 44 && !isWs(s.charCodeAt(i))) i++;
      fieldValue = s.slice(start, i);
    }
    if (fieldValue.length > MAX_FIELD) continue;
    if (name === 'username') out.username = fieldValue;
    else if (name === 'realm') out.realm = fieldValue;
    else if (name === 'nonce') out.nonce = fieldValue;
  }
  return out;
}

export function parseCredentials(header: Credentials['header'], value: string): Credentials | undefined {
  const f = scan(value);
  return f && { header, ...f };
}

export function parseChallenge(header: Challenge['header'], value: string): Challenge | undefined {
  const f = scan(value);
  if (!f) return undefined;
  const c: Challenge = { header, scheme: f.scheme };
  if (f.realm !== undefined) c.realm = f.realm;
  if (f.nonce !== undefined) c.nonce = f.nonce;
  return c;
}
