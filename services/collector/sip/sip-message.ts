// The parsed shape of one SIP message, and the stable codes of why a message was refused or what is
// wrong with one we accepted. Codes are API: counters, dead letters and detectors key on them.

/** Why parseSipMessage refused a message. */
export const PARSE_FAILURES = {
  empty: 'nothing but CR/LF keep-alive bytes',
  incomplete: 'stream mode: the message is not complete yet (see `needed`)',
  'too-large': 'the message exceeds limits.maxMessageBytes',
  'bad-start-line': 'the first line is neither "METHOD URI SIP/2.0" nor "SIP/2.0 CODE REASON"',
  'bad-version': 'the protocol version is not SIP/2.0',
  'bad-method': 'the request method is not an RFC 3261 token',
  'bad-request-uri': 'the request URI has no scheme, or is enclosed in <>',
  'bad-status': 'the status code is not three digits between 100 and 699',
  'bad-header': 'a header line has no colon, or its name is not a token',
  'too-many-headers': 'more header lines than limits.maxHeaders',
  'missing-header': 'Call-ID, CSeq, From, To or Via is missing',
  'bad-cseq': 'CSeq is not a sequence number up to 2^31-1 followed by a method',
  'bad-content-length': 'Content-Length is not a non-negative number, or several values disagree',
  'truncated-body': 'the datagram holds fewer body bytes than Content-Length announces',
  'internal-error': 'the parser hit a bug; the message is refused instead of crashing the caller',
} as const;

export type ParseFailure = keyof typeof PARSE_FAILURES;

/** Defects of a message that was still understood well enough to be used. */
export const DEFECTS = {
  'start-line-whitespace': 'the request line has extra or trailing whitespace',
  'request-uri-headers': 'the request URI carries ?headers (escaped header injection)',
  'cseq-method-mismatch': 'the CSeq method differs from the request method',
  'duplicate-header': 'Call-ID, CSeq, From or To appears more than once (the first one is used)',
  'bad-via': 'a Via value could not be parsed, or has empty parameters',
  'too-many-via': 'more Via values than limits.maxViaValues (the rest are ignored)',
  'bad-name-addr': 'From, To, Contact or Refer-To is not a well-formed name-addr or addr-spec',
  'no-blank-line': 'the datagram ends without the empty line that closes the headers',
  'missing-content-length': 'a stream message has no Content-Length (taken as 0)',
} as const;

export type Defect = keyof typeof DEFECTS;

export interface SipUri {
  /** lower-case scheme: sip, sips, tel, ... */
  scheme: string;
  /** user part, %-decoded unless that would produce control characters */
  user?: string;
  /** lower-case host (IPv6 keeps its brackets) */
  host?: string;
  port?: number;
}

/** From, To, Contact, Refer-To. */
export interface NameAddr {
  display?: string;
  /** the URI text as written */
  uri?: string;
  scheme?: string;
  user?: string;
  host?: string;
  port?: number;
  tag?: string;
}

export interface Via {
  /** upper-case: UDP, TCP, TLS, WS, WSS, SCTP ... */
  transport: string;
  host: string;
  port?: number;
  branch?: string;
  received?: string;
  /** rport with a value, or true when present without one */
  rport?: number | true;
}

/** Authorization / Proxy-Authorization. The response hash and any secret are never kept. */
export interface Credentials {
  header: 'authorization' | 'proxy-authorization';
  scheme: string;
  username?: string;
  realm?: string;
  nonce?: string;
}

/** WWW-Authenticate / Proxy-Authenticate. */
export interface Challenge {
  header: 'www-authenticate' | 'proxy-authenticate';
  scheme: string;
  realm?: string;
  nonce?: string;
}

export interface SipHeader {
  /** lower-case full name (compact forms expanded) */
  name: string;
  /** unfolded, trimmed value; credentials are redacted */
  value: string;
}

export interface SipMessage {
  kind: 'request' | 'response';
  /** request method, or for a response the CSeq method */
  method: string;
  requestUri?: string;
  status?: number;
  reason?: string;
  callId: string;
  cseq: { seq: number; method: string };
  from: NameAddr;
  to: NameAddr;
  /** every Via value in order; via[0] is the top one */
  via: Via[];
  maxForwards?: number;
  contact?: NameAddr;
  referTo?: NameAddr;
  userAgent?: string;
  server?: string;
  /** Authorization and Proxy-Authorization values in order (a request may answer several proxies) */
  credentials?: Credentials[];
  challenge?: Challenge;
  contentType?: string;
  contentLength?: number;
  /** a view into the input buffer: copy it if you keep it */
  body: Buffer;
  headers: SipHeader[];
  defects: Defect[];
}

export type ParseResult =
  | { ok: true; message: SipMessage; consumed: number }
  | {
      ok: false;
      reason: ParseFailure;
      detail: string;
      /** bytes a stream reader may drop before trying again (0 when it must wait or resync) */
      consumed: number;
      /** stream mode, reason 'incomplete': total bytes the message needs, when known */
      needed?: number;
    };
