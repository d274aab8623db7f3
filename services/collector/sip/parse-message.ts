// SIP message parser (RFC 3261 section 7, 18.3, 20, 25). One pass over the header block, bounded by
// limits, never throws: every input ends as { ok: true, message } or { ok: false, reason }.
//
// Framing: a datagram is one message (Content-Length, when present, trims the body). In stream mode
// (TCP, TLS) Content-Length decides where the next message starts, and an unfinished message
// answers 'incomplete' with the number of bytes it still needs, so a reader can wait for them.
import { parseChallenge, parseCredentials } from './digest';
import { canonicalHeaderName } from './header-names';
import { parseNameAddr, schemeLength } from './name-addr';
import type { Defect, NameAddr, ParseFailure, ParseResult, SipHeader, SipMessage, Via } from './sip-message';
import { isToken, isWs, splitTopLevel } from './text-scan';
import { parseVia } from './via';

export interface SipLimits {
  /** start line + headers + body */
  maxMessageBytes: number;
  maxHeaders: number;
  maxViaValues: number;
}

export const DEFAULT_SIP_LIMITS: Readonly<SipLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxHeaders: 256,
  maxViaValues: 64,
});

export interface ParseOptions {
  /** byte streams (TCP, decrypted TLS): frame by Content-Length, report "incomplete". Default false. */
  stream?: boolean;
  limits?: Readonly<SipLimits>;
}

const CR = 13;
const LF = 10;
const MAX_CSEQ = 2 ** 31 - 1; // RFC 3261 8.1.1.5
const REDACTED = '[redacted]';
const MAX_CREDENTIALS = 4;

function failure(reason: ParseFailure, detail: string, consumed = 0): ParseResult {
  return { ok: false, reason, detail, consumed };
}

export function parseSipMessage(buf: Buffer, options: ParseOptions = {}): ParseResult {
  try {
    return parse(buf, options.stream === true, options.limits ?? DEFAULT_SIP_LIMITS);
  } catch (err) {
    // Defence in depth: the fuzz tests assert this branch is never taken.
    return failure('internal-error', err instanceof Error ? err.message : String(err), buf.length);
  }
}

/** Where the header block ends: `textEnd` excludes the blank line, `bodyStart` follows it. */
function findHeaderEnd(buf: Buffer, from: number, limit: number): { textEnd: number; bodyStart: number } | undefined {
  let pos = from;
  for (;;) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0 || lf >= limit) return undefined;
    const next = buf[lf + 1];
    if (next === LF) return { textEnd: lf, bodyStart: lf + 2 };
    if (next === CR && buf[lf + 2] === LF) return { textEnd: lf, bodyStart: lf + 3 };
    pos = lf + 1;
  }
}

function parse(buf: Buffer, stream: boolean, limits: Readonly<SipLimits>): ParseResult {
  const end = buf.length;
  let start = 0;
  while (start < end && (buf[start] === CR || buf[start] === LF)) start++; // RFC 5626 keep-alives
  if (start === end) return failure('empty', 'only CR/LF', end);

  const maxEnd = start + limits.maxMessageBytes;
  if (!stream && end > maxEnd) return failure('too-large', `${end - start} bytes`, end);
  const defects: Defect[] = [];
  let found = findHeaderEnd(buf, start, Math.min(end, maxEnd));
  if (!found) {
    if (stream) {
      if (end >= maxEnd) return failure('too-large', 'no end of headers within the size limit', end);
      return { ok: false, reason: 'incomplete', detail: 'no end of headers yet', consumed: 0 };
    }
    // A datagram without the closing blank line: everything is headers.
    defects.push('no-blank-line');
    found = { textEnd: end, bodyStart: end };
  }

  const text = buf.toString('utf8', start, found.textEnd);
  const head = parseHead(text, limits);
  if ('refused' in head) return failure(head.refused, head.detail, found.bodyStart);
  for (const d of head.defects) defects.push(d);

  // Content-Length framing
  let bodyLength: number;
  const available = end - found.bodyStart;
  if (head.contentLength === undefined) {
    if (stream) {
      defects.push('missing-content-length');
      bodyLength = 0;
    } else bodyLength = available;
  } else bodyLength = head.contentLength;
  const total = found.bodyStart - start + bodyLength;
  if (total > limits.maxMessageBytes) return failure('too-large', `${total} bytes announced`, found.bodyStart + bodyLength);
  if (bodyLength > available) {
    if (stream) return { ok: false, reason: 'incomplete', detail: 'body not complete', consumed: 0, needed: found.bodyStart + bodyLength };
    return failure('truncated-body', `Content-Length ${bodyLength}, ${available} bytes present`, end);
  }

  const message = head.message;
  message.body = buf.subarray(found.bodyStart, found.bodyStart + bodyLength);
  message.defects = dedupe(defects);
  return { ok: true, message, consumed: found.bodyStart + bodyLength };
}

function dedupe(defects: Defect[]): Defect[] {
  return defects.length < 2 ? defects : [...new Set(defects)];
}

interface Head {
  message: SipMessage;
  contentLength?: number;
  defects: Defect[];
}

interface Refusal {
  refused: ParseFailure;
  detail: string;
}

function refuse(reason: ParseFailure, detail: string): Refusal {
  return { refused: reason, detail: detail.length > 200 ? detail.slice(0, 200) : detail };
}

interface StartLine {
  kind: 'request' | 'response';
  method?: string;
  requestUri?: string;
  status?: number;
  reason?: string;
  defects: Defect[];
}

function parseStartLine(line: string): StartLine | Refusal {
  if (line.length >= 4 && line.slice(0, 4).toUpperCase() === 'SIP/') return parseStatusLine(line);
  // Request-Line: Method SP Request-URI SP SIP-Version. Runs of spaces are tolerated as a defect;
  // anything that does not leave exactly three words is refused (lwsruri, test.dat).
  const words: string[] = [];
  let i = 0;
  let extraSpace = false;
  while (i < line.length && words.length <= 3) {
    const wordStart = i;
    while (i < line.length && !isWs(line.charCodeAt(i))) i++;
    if (i > wordStart) words.push(line.slice(wordStart, i));
    else extraSpace = true;
    const spaceStart = i;
    while (i < line.length && isWs(line.charCodeAt(i))) i++;
    if (i - spaceStart > 1 || (i === line.length && i > spaceStart)) extraSpace = true;
  }
  if (words.length !== 3) return refuse('bad-start-line', line);
  const [method, uri, version] = words as [string, string, string];
  if (version.toUpperCase() !== 'SIP/2.0') {
    return refuse(version.toUpperCase().startsWith('SIP/') ? 'bad-version' : 'bad-start-line', line);
  }
  if (!isToken(method)) return refuse('bad-method', method);
  if (schemeLength(uri) === 0) return refuse('bad-request-uri', uri); // also catches <sip:...>
  const defects: Defect[] = [];
  if (extraSpace) defects.push('start-line-whitespace');
  // ?headers follow the host part; a '?' in the user part (intmeth) is legal
  if ((uri.startsWith('sip:') || uri.startsWith('sips:')) && uri.indexOf('?', Math.max(0, uri.indexOf('@'))) > 0) {
    defects.push('request-uri-headers');
  }
  return { kind: 'request', method, requestUri: uri, defects };
}

function parseStatusLine(line: string): StartLine | Refusal {
  const sp = line.indexOf(' ');
  const version = sp < 0 ? line : line.slice(0, sp);
  if (version.toUpperCase() !== 'SIP/2.0') return refuse('bad-version', version);
  const codeStart = sp + 1;
  let codeEnd = codeStart;
  while (codeEnd < line.length && !isWs(line.charCodeAt(codeEnd))) codeEnd++;
  const code = line.slice(codeStart, codeEnd);
  if (code.length !== 3) return refuse('bad-status', code);
  let status = 0;
  for (let k = 0; k < 3; k++) {
    const d = code.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return refuse('bad-status', code);
    status = status * 10 + d;
  }
  if (status < 100 || status > 699) return refuse('bad-status', code);
  return { kind: 'response', status, reason: line.slice(codeEnd + 1), defects: [] };
}

/** Split the header block into lines, unfold continuations, then read the fields we use. */
function parseHead(text: string, limits: Readonly<SipLimits>): Head | Refusal {
  const names: string[] = [];
  const values: string[] = [];
  let firstEnd = text.indexOf('\n');
  if (firstEnd < 0) firstEnd = text.length;
  const start = parseStartLine(text.slice(0, firstEnd > 0 && text.charCodeAt(firstEnd - 1) === CR ? firstEnd - 1 : firstEnd));
  if ('refused' in start) return start;
  let lineStart = firstEnd + 1;
  while (lineStart <= text.length) {
    let nl = text.indexOf('\n', lineStart);
    if (nl < 0) nl = text.length;
    const lineEnd = nl > lineStart && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    if (isWs(text.charCodeAt(lineStart))) {
      // folded continuation of the previous header (RFC 3261 7.3.1)
      if (values.length === 0) return refuse('bad-header', 'continuation line before any header');
      const more = text.slice(lineStart, lineEnd).trim();
      if (more.length > 0) values[values.length - 1] += ' ' + more;
    } else if (lineEnd > lineStart) {
      const colon = text.indexOf(':', lineStart);
      if (colon < 0 || colon >= lineEnd) return refuse('bad-header', text.slice(lineStart, lineEnd));
      let nameEnd = colon;
      while (nameEnd > lineStart && isWs(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const rawName = text.slice(lineStart, nameEnd);
      if (!isToken(rawName)) return refuse('bad-header', rawName);
      if (names.length >= limits.maxHeaders) return refuse('too-many-headers', `more than ${limits.maxHeaders}`);
      names.push(canonicalHeaderName(rawName));
      values.push(text.slice(colon + 1, lineEnd).trim());
    }
    lineStart = nl + 1;
  }

  return readHeaders(start, names, values, limits);
}

function parseCseq(value: string): { seq: number; method: string } | undefined {
  let i = 0;
  let seq = 0;
  while (i < value.length) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
    if (seq > MAX_CSEQ) return undefined;
    i++;
  }
  if (i === 0 || i === value.length || !isWs(value.charCodeAt(i))) return undefined;
  const method = value.slice(i).trim();
  return isToken(method) ? { seq, method } : undefined;
}

function parseDecimal(value: string, maxDigits: number): number | undefined {
  if (value.length === 0 || value.length > maxDigits) return undefined;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

function readHeaders(start: StartLine, names: string[], values: string[], limits: Readonly<SipLimits>): Head | Refusal {
  const defects: Defect[] = [...start.defects];
  const headers: SipHeader[] = new Array<SipHeader>(names.length);
  const via: Via[] = [];
  let callId: string | undefined;
  let cseq: { seq: number; method: string } | undefined;
  let from: NameAddr | undefined;
  let to: NameAddr | undefined;
  let sawVia = false;
  let contentLength: number | undefined;
  const optional: Partial<SipMessage> = {};

  const nameAddr = (value: string): NameAddr => {
    const { addr, wellFormed } = parseNameAddr(value);
    if (!wellFormed) defects.push('bad-name-addr');
    return addr;
  };

  for (let h = 0; h < names.length; h++) {
    const name = names[h]!;
    let value = values[h]!;
    switch (name) {
      case 'call-id':
        if (callId === undefined) callId = value;
        else if (callId !== value) defects.push('duplicate-header');
        break;
      case 'cseq': {
        const parsed = parseCseq(value);
        if (!parsed) return refuse('bad-cseq', value);
        if (cseq === undefined) cseq = parsed;
        else if (cseq.seq !== parsed.seq || cseq.method !== parsed.method) defects.push('duplicate-header');
        break;
      }
      case 'from':
      case 'to': {
        const addr = nameAddr(value);
        if (name === 'from') {
          if (from === undefined) from = addr;
          else defects.push('duplicate-header');
        } else if (to === undefined) to = addr;
        else defects.push('duplicate-header');
        break;
      }
      case 'via':
        sawVia = true;
        for (const part of splitTopLevel(value, 44, limits.maxViaValues + 1)) {
          if (via.length >= limits.maxViaValues) {
            defects.push('too-many-via');
            break;
          }
          const parsed = parseVia(part);
          if (parsed) via.push(parsed.via);
          if (!parsed || !parsed.clean) defects.push('bad-via');
        }
        break;
      case 'content-length': {
        const n = parseDecimal(value, 10);
        if (n === undefined) return refuse('bad-content-length', value);
        if (contentLength !== undefined && contentLength !== n) return refuse('bad-content-length', 'conflicting values');
        contentLength = n;
        break;
      }
      case 'max-forwards': {
        const n = parseDecimal(value, 10);
        if (n !== undefined && optional.maxForwards === undefined) optional.maxForwards = n;
        break;
      }
      case 'contact':
        if (optional.contact === undefined && value !== '*') {
          optional.contact = nameAddr(splitTopLevel(value, 44, 2)[0]!);
        }
        break;
      case 'refer-to':
        if (optional.referTo === undefined) optional.referTo = nameAddr(value);
        break;
      case 'user-agent':
        optional.userAgent ??= value;
        break;
      case 'server':
        optional.server ??= value;
        break;
      case 'content-type':
        optional.contentType ??= value.toLowerCase();
        break;
      case 'authorization':
      case 'proxy-authorization': {
        const credentials = parseCredentials(name, value);
        if (credentials && (optional.credentials ??= []).length < MAX_CREDENTIALS) optional.credentials.push(credentials);
        value = REDACTED;
        break;
      }
      case 'www-authenticate':
      case 'proxy-authenticate': {
        const challenge = optional.challenge ?? parseChallenge(name, value);
        if (challenge) optional.challenge = challenge;
        break;
      }
      default:
        break;
    }
    headers[h] = { name, value };
  }

  const missing: string[] = [];
  if (callId === undefined || callId.length === 0) missing.push('Call-ID');
  if (cseq === undefined) missing.push('CSeq');
  if (from === undefined) missing.push('From');
  if (to === undefined) missing.push('To');
  if (!sawVia) missing.push('Via');
  if (missing.length > 0) return refuse('missing-header', missing.join(', '));

  const method = start.kind === 'request' ? start.method! : cseq!.method;
  if (start.kind === 'request' && cseq!.method !== method) defects.push('cseq-method-mismatch');

  const message: SipMessage = {
    kind: start.kind,
    method,
    callId: callId!,
    cseq: cseq!,
    from: from!,
    to: to!,
    via,
    body: EMPTY,
    headers,
    defects: [],
    ...optional,
  };
  if (start.requestUri !== undefined) message.requestUri = start.requestUri;
  if (start.status !== undefined) message.status = start.status;
  if (start.reason !== undefined) message.reason = start.reason;
  if (contentLength !== undefined) message.contentLength = contentLength;
  const head: Head = { message, defects };
  if (contentLength !== undefined) head.contentLength = contentLength;
  return head;
}

const EMPTY = Buffer.alloc(0);
