// The two parts of a SIP or tel URI the detectors look at: user and host. Not a full RFC 3261
// parser (the collector has one); enough for request URIs and Refer-To values from flow records.

export interface UriParts {
  user?: string;
  host?: string;
}

/** Parses `sip:user@host:port;params`, `sips:...`, `tel:+number`, optionally inside `<...>`. */
export function uriParts(text: string | undefined): UriParts {
  if (!text) return {};
  let s = text.trim();
  const open = s.indexOf('<');
  if (open >= 0) s = s.slice(open + 1, s.indexOf('>', open) >= 0 ? s.indexOf('>', open) : undefined);
  const colon = s.indexOf(':');
  if (colon < 0) return {};
  const scheme = s.slice(0, colon).toLowerCase();
  const rest = s.slice(colon + 1);
  if (scheme === 'tel') {
    const number = rest.split(';')[0];
    return number ? { user: number } : {};
  }
  if (scheme !== 'sip' && scheme !== 'sips') return {};
  // user part ends at the last '@' before any parameters or headers
  const end = rest.search(/[;?]/);
  const addr = end >= 0 ? rest.slice(0, end) : rest;
  const at = addr.lastIndexOf('@');
  const user = at >= 0 ? addr.slice(0, at).split(':')[0] : undefined;
  const hostport = at >= 0 ? addr.slice(at + 1) : addr;
  const host = hostport.startsWith('[') ? hostport.slice(0, hostport.indexOf(']') + 1) : hostport.split(':')[0];
  const out: UriParts = {};
  if (user) out.user = decodeUser(user);
  if (host) out.host = host.toLowerCase();
  return out;
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
