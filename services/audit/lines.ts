// Lines of a file with their byte offsets, so a torn last line (a crash mid-append) can be cut off
// exactly where it starts.
import { createReadStream } from 'node:fs';

export interface FileLine {
  /** 1-based */
  number: number;
  text: string;
  /** byte offset where the line starts */
  start: number;
  /** false for a last line without its newline */
  terminated: boolean;
}

export async function* readLines(path: string): AsyncGenerator<FileLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let start = 0;
  let number = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const text = Buffer.concat([...pending, piece]).toString('utf8');
      const bytes = pendingBytes + piece.length;
      yield { number: ++number, text, start, terminated: true };
      start += bytes + 1;
      pending = [];
      pendingBytes = 0;
      from = nl + 1;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      pendingBytes += chunk.length - from;
    }
  }
  if (pendingBytes > 0) yield { number: ++number, text: Buffer.concat(pending).toString('utf8'), start, terminated: false };
}
