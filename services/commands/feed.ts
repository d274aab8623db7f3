// Sources into the collector's ingest: NDJSON files or stdin, with a size limit per line and a
// progress bar for long files.
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CallsentryError } from '../core/errors';
import type { Ingest } from '../collector/ingest';
import { readLines } from '../collector/line-reader';
import type { CommandIo } from './io';
import { Progress } from './progress';

export async function feedNdjson(ingest: Ingest, file: string, io: CommandIo, maxLineBytes: number): Promise<number> {
  let stream: Readable;
  let total = 0;
  if (file === '-') stream = io.stdin;
  else {
    try {
      total = statSync(file).size;
    } catch (err) {
      throw new CallsentryError('USAGE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    stream = createReadStream(file, { highWaterMark: 1 << 20 });
  }
  const progress = new Progress({ stream: process.stderr, isTty: io.isTty && file !== '-', env: io.env }, total, file);
  let lines = 0;
  try {
    for await (const e of readLines(stream, maxLineBytes)) {
      lines++;
      if (e.kind === 'line') await ingest.line(e.text);
      else await ingest.oversized(e.head, e.bytes);
      if ((lines & 1023) === 0) progress.update((stream as { bytesRead?: number }).bytesRead ?? 0, `${lines} lines`);
    }
    progress.update(total, `${lines} lines`);
  } finally {
    progress.finish();
  }
  await ingest.flush();
  return lines;
}
