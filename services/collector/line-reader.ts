// Splits a byte stream into lines with a hard size limit: a line longer than the limit is skipped
// up to its newline and reported, never buffered whole.
import type { Readable } from 'node:stream';

export type LineEvent = { kind: 'line'; text: string; lineNo: number } | { kind: 'oversized'; bytes: number; lineNo: number; head: string };

export async function* readLines(stream: Readable, maxBytes: number): AsyncGenerator<LineEvent> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let skipped = 0;
  let head = '';
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const end = nl === -1 ? buf.length : nl;
      const piece = buf.subarray(start, end);
      if (skipping) skipped += piece.length;
      else if (size + piece.length > maxBytes) {
        skipping = true;
        head = Buffer.concat([...parts, piece]).subarray(0, 200).toString('utf8');
        skipped = size + piece.length;
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (nl === -1) break;
      lineNo++;
      if (skipping) {
        yield { kind: 'oversized', bytes: skipped, lineNo, head };
        skipping = false;
        skipped = 0;
      } else {
        const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('utf8').replace(/\r$/, '');
        if (text.trim() !== '') yield { kind: 'line', text, lineNo };
      }
      parts = [];
      size = 0;
      start = nl + 1;
    }
  }
  lineNo++;
  if (skipping) yield { kind: 'oversized', bytes: skipped, lineNo, head };
  else if (size > 0) {
    const text = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    if (text.trim() !== '') yield { kind: 'line', text, lineNo };
  }
}
