// Cheap tests run on every UDP payload and TCP segment before the parser is involved: does this
// look like the start of a SIP message, or like a keep-alive?

const MAX_START_LINE = 512;

function isUpperOrToken(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 33 || code === 37 || code === 45 || code === 95;
}

/** "SIP/2.0 NNN ..." or "METHOD uri SIP/2.0" at `offset` (after up to four CR/LF bytes). */
export function looksLikeSip(buf: Buffer, offset = 0): boolean {
  for (let k = 0; k < 4 && (buf[offset] === 0x0d || buf[offset] === 0x0a); k++) offset++;
  if (buf.length - offset < 12) return false;
  if (buf[offset] === 0x53 && buf[offset + 1] === 0x49 && buf[offset + 2] === 0x50 && buf[offset + 3] === 0x2f && buf[offset + 7] === 0x20) {
    return true; // "SIP/x.y "
  }
  if (!isUpperOrToken(buf[offset]!)) return false;
  const limit = Math.min(buf.length, offset + MAX_START_LINE);
  let lf = buf.indexOf(0x0a, offset);
  if (lf < 0 || lf >= limit) return false;
  if (buf[lf - 1] === 0x0d) lf--;
  // ends with " SIP/2.0"
  return lf - offset >= 12 && buf.toString('latin1', lf - 8, lf).toUpperCase() === ' SIP/2.0';
}

/** CRLF pings (RFC 5626), NUL or space keep-alives some phones send instead of a message. */
export function isKeepAlive(buf: Buffer): boolean {
  if (buf.length === 0 || buf.length > 8) return false;
  for (const b of buf) if (b !== 0x0d && b !== 0x0a && b !== 0 && b !== 0x20) return false;
  return true;
}

/** longest first, so that PRACK is not taken for ACK */
const KNOWN_METHODS = ['SUBSCRIBE', 'REGISTER', 'OPTIONS', 'PUBLISH', 'MESSAGE', 'INVITE', 'CANCEL', 'NOTIFY', 'UPDATE', 'PRACK', 'REFER', 'INFO', 'BYE', 'ACK'];
const VERSION = Buffer.from('SIP/2.0');

/**
 * Offset of the next SIP start line at or after `from`, or -1. Used to resynchronise a stream after
 * garbage or lost bytes, where the next message may follow a body with no line break: a request
 * line is found by its " SIP/2.0" end, and its start by the line start or, failing that, by a
 * known method name glued to the end of the previous body.
 */
export function nextSipStart(buf: Buffer, from: number): number {
  let pos = from;
  for (;;) {
    const at = buf.indexOf(VERSION, pos);
    if (at < 0) return -1;
    pos = at + VERSION.length;
    const next = buf[pos];
    if (next === 0x20 && isDigits(buf, pos + 1, 3)) {
      // status line "SIP/2.0 NNN": it starts right here
      return at;
    }
    if ((next === 0x0d || next === 0x0a) && buf[at - 1] === 0x20) {
      const start = Math.max(buf.lastIndexOf(0x0a, at) + 1, from, at - 512);
      const line = buf.toString('latin1', start, at - 1); // "METHOD URI"
      const methodText = line.slice(0, line.lastIndexOf(' '));
      for (const m of KNOWN_METHODS) if (methodText.endsWith(m)) return start + methodText.length - m.length;
      if (looksLikeSip(buf, start)) return start; // an unknown method at a line start
    }
  }
}

function isDigits(buf: Buffer, at: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const c = buf[at + i];
    if (c === undefined || c < 0x30 || c > 0x39) return false;
  }
  return true;
}
