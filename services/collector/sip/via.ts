// One Via value: "SIP / 2.0 / UDP host:port ;branch=...". LWS is legal around '/', ':' and '='
// (RFC 4475 wsinv), so this walks characters instead of splitting on spaces.
import { parsePort } from './name-addr';
import type { Via } from './sip-message';
import { hasParam, isTokenChar, isWs, paramValue, parseParams, skipWs } from './text-scan';

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * An IPv6 address written without brackets (seen from real phones): "fe80:0:0:0:1:2:3:4:5060".
 * Eight colons mean the last group is the port. Undefined when the sent-by has a single colon.
 */
function unbracketedIpv6(s: string, start: number): { host: string; end: number } | undefined {
  let end = start;
  let colons = 0;
  let lastColon = -1;
  for (; end < s.length; end++) {
    const c = s.charCodeAt(end);
    if (c === 59 || isWs(c)) break;
    if (c === 58) {
      colons++;
      lastColon = end;
    }
  }
  if (colons < 2) return undefined;
  const cut = colons === 8 ? lastColon : end;
  return { host: `[${s.slice(start, cut).toLowerCase()}]`, end: cut };
}

/** Returns undefined when the value is not a Via; `clean` is false when parameters are malformed. */
export function parseVia(value: string): { via: Via; clean: boolean } | undefined {
  const s = value;
  let i = skipWs(s, 0);
  const nameEnd = readToken(s, i);
  if (s.slice(i, nameEnd).toUpperCase() !== 'SIP') return undefined;
  i = skipWs(s, nameEnd);
  if (s.charCodeAt(i) !== 47) return undefined;
  i = skipWs(s, i + 1);
  const versionEnd = readToken(s, i);
  if (s.slice(i, versionEnd) !== '2.0') return undefined;
  i = skipWs(s, versionEnd);
  if (s.charCodeAt(i) !== 47) return undefined;
  i = skipWs(s, i + 1);
  const transportEnd = readToken(s, i);
  if (transportEnd === i) return undefined;
  const transport = s.slice(i, transportEnd).toUpperCase();
  i = skipWs(s, transportEnd);
  if (i === transportEnd && i < s.length) return undefined; // sent-by must follow LWS

  let hostEnd: number;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0) return undefined;
    hostEnd = close + 1;
  } else {
    hostEnd = i;
    while (hostEnd < s.length) {
      const c = s.charCodeAt(hostEnd);
      if (c === 58 || c === 59 || isWs(c)) break;
      hostEnd++;
    }
  }
  let host = s.slice(i, hostEnd).toLowerCase();
  if (host.length === 0) return undefined;
  let clean = true;
  if (s.charCodeAt(hostEnd) === 58 && s.charCodeAt(i) !== 91) {
    const v6 = unbracketedIpv6(s, i);
    if (v6) {
      host = v6.host;
      hostEnd = v6.end;
      clean = false;
    }
  }
  const via: Via = { transport, host };
  i = skipWs(s, hostEnd);
  if (s.charCodeAt(i) === 58) {
    const portStart = skipWs(s, i + 1);
    let portEnd = portStart;
    while (portEnd < s.length && s.charCodeAt(portEnd) >= 48 && s.charCodeAt(portEnd) <= 57) portEnd++;
    const port = parsePort(s.slice(portStart, portEnd));
    if (port === undefined) return undefined;
    via.port = port;
    i = skipWs(s, portEnd);
  }
  if (i >= s.length) return { via, clean };
  if (s.charCodeAt(i) !== 59) return undefined;

  const { params, malformed } = parseParams(s.slice(i));
  const branch = paramValue(params, 'branch');
  if (branch !== undefined && branch.length > 0) via.branch = branch;
  const received = paramValue(params, 'received');
  if (received !== undefined && received.length > 0) via.received = received;
  if (hasParam(params, 'rport')) {
    const rport = parsePort(paramValue(params, 'rport') ?? '');
    via.rport = rport ?? true;
  }
  return { via, clean: clean && !malformed };
}
