// What the SIP redirect server answers, as a pure function of one parsed request: an INVITE gets
// 302 (proceed: Contact is the request-URI) or 603 Decline with a Reason header (RFC 3326);
// OPTIONS 200 (a proxy's health probe); ACK nothing (it acknowledges our final answer); CANCEL 481
// (every INVITE was answered at once, nothing is pending); any other method 405.
//
// Who is calling: X-Callsentry-Source / -Account / -Tenant headers when the proxy adds them (the
// configurations in infra/lab/verdict do), else the bottom Via (the phone) and the digest user name.
import { ipFamily } from '../core/cidr';
import type { SipMessage } from '../collector/sip';
import { BadQuery, parseQuery } from './query';
import type { CallQuery, Verdict } from './verdict';

export const ALLOW = 'INVITE, ACK, CANCEL, OPTIONS';

export type SipOutcome =
  | { kind: 'reply'; text: string; verdict?: Verdict; query?: CallQuery }
  | { kind: 'none' };

function header(m: SipMessage, name: string): string | undefined {
  for (const h of m.headers) if (h.name === name) return h.value;
  return undefined;
}

/** Text safe inside a quoted-string and on one header line. */
function quoted(text: string, max = 200): string {
  return `"${text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, "'").slice(0, max)}"`;
}

export function queryOf(m: SipMessage, peer: string): CallQuery {
  const bottom = m.via[m.via.length - 1];
  const host = bottom && (bottom.host.startsWith('[') ? bottom.host.replace(/^\[|\]$/g, '') : bottom.host);
  const viaIp = bottom ? (bottom.received && ipFamily(bottom.received) ? bottom.received : host && ipFamily(host) ? host : undefined) : undefined;
  const given = header(m, 'x-callsentry-source');
  const account = header(m, 'x-callsentry-account') || m.credentials?.find((c) => c.username)?.username;
  const tenant = header(m, 'x-callsentry-tenant');
  const body: Record<string, unknown> = {
    source_ip: given ?? viaIp ?? peer,
    from: m.from.uri ?? '',
    to: m.requestUri ?? m.to.uri ?? '',
    call_id: m.callId,
  };
  if (account) body.account = account;
  if (tenant) body.tenant = tenant;
  return parseQuery(body);
}

function response(m: SipMessage, status: number, reason: string, extra: string[]): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const h of m.headers) if (h.name === 'via') lines.push(`Via: ${h.value}`);
  lines.push(`From: ${header(m, 'from') ?? ''}`);
  const to = header(m, 'to') ?? '';
  // the same tag for a retransmission: derived from the transaction
  lines.push(m.to.tag ? `To: ${to}` : `To: ${to};tag=cs${toTag(m.callId, m.cseq.seq)}`);
  lines.push(`Call-ID: ${m.callId}`, `CSeq: ${m.cseq.seq} ${m.cseq.method}`, ...extra, 'Server: callsentry-verdict', 'Content-Length: 0', '', '');
  return lines.join('\r\n');
}

/** A tag that only has to be the same for a retransmission and differ between calls: FNV-1a, not a digest (this is on every answer). */
function toTag(callId: string, seq: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ seq;
  for (let i = 0; i < callId.length; i++) {
    const c = callId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
  }
  return ((h1 >>> 0).toString(16).padStart(8, '0') + ((h2 ^ seq) >>> 0).toString(16).padStart(8, '0')).slice(0, 12);
}

export function answerSip(m: SipMessage, peer: string, decide: (q: CallQuery) => Verdict): SipOutcome {
  if (m.kind !== 'request') return { kind: 'none' };
  switch (m.method) {
    case 'ACK':
      return { kind: 'none' };
    case 'OPTIONS':
      return { kind: 'reply', text: response(m, 200, 'OK', [`Allow: ${ALLOW}`, 'Accept: application/sdp']) };
    case 'CANCEL':
      return { kind: 'reply', text: response(m, 481, 'Call/Transaction Does Not Exist', []) };
    case 'INVITE':
      break;
    default:
      return { kind: 'reply', text: response(m, 405, 'Method Not Allowed', [`Allow: ${ALLOW}`]) };
  }
  let q: CallQuery;
  try {
    q = queryOf(m, peer);
  } catch (err) {
    const why = err instanceof BadQuery ? err.message : 'unreadable request';
    return { kind: 'reply', text: response(m, 400, 'Bad Request', [`Warning: 399 callsentry ${quoted(why)}`]) };
  }
  const v = decide(q);
  const info = [`X-Callsentry-Verdict: ${v.verdict}; rule=${v.rule}; ttl=${v.ttl_seconds}`];
  if (v.verdict === 'deny') {
    return { kind: 'reply', verdict: v, query: q, text: response(m, 603, 'Decline', [`Reason: SIP ;cause=603 ;text=${quoted(`${v.rule}: ${v.reason}`)}`, ...info]) };
  }
  const contact = m.requestUri ?? '';
  const warn = v.verdict === 'limit' ? [`Warning: 399 callsentry ${quoted(`limit: ${v.rule}: ${v.reason}`)}`] : [];
  return { kind: 'reply', verdict: v, query: q, text: response(m, 302, 'Moved Temporarily', [`Contact: <${contact}>`, ...warn, ...info]) };
}
