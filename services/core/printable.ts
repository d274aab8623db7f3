// Text from the network, made safe to show on a terminal or in a log read by people: control
// characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides are written
// as visible escapes, so a SIP field can neither forge an output line nor move the cursor.
// Machine output (--json) does not need this: JSON.stringify escapes what JSON parsers need.

// C0 and DEL, C1, U+2028/2029, bidi embeddings/overrides/isolates, BOM (an invisible mark)
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `value` as one line of inert text: every unsafe character becomes a visible escape. */
export function printable(value: unknown): string {
  return String(value).replace(UNSAFE, escapeOne);
}
