// Build SIP messages for tests: headers as lines, Content-Length computed, CRLF line endings.
import { parseSipMessage } from '../parse-message';
import type { SipMessage } from '../sip-message';

export function sipBytes(startLine: string, headers: string[], body = ''): Buffer {
  const head = [startLine, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', ''].join('\r\n');
  return Buffer.from(head + body);
}

export function sip(startLine: string, headers: string[], body = ''): SipMessage {
  const r = parseSipMessage(sipBytes(startLine, headers, body));
  if (!r.ok) throw new Error(`test message refused: ${r.reason} ${r.detail}`);
  return r.message;
}
