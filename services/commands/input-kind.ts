// What an input file is, decided by its content before anything starts: a capture (pcap or
// pcapng magic number), NDJSON flow records (the first non-blank character opens a JSON object),
// or neither, which is refused with the file's name instead of counted as thousands of BAD_JSON.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { CallsentryError } from '../core/errors';

export type InputKind = 'capture' | 'ndjson';

const CAPTURE_MAGICS = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];
const SNIFF_BYTES = 64 * 1024;

/** '-' (stdin) is NDJSON and is not read here; a file is read at most SNIFF_BYTES. */
export function inputKind(file: string): InputKind {
  if (file === '-') return 'ndjson';
  const head = readHead(file);
  if (head.length >= 4 && CAPTURE_MAGICS.includes(head.readUInt32BE(0))) return 'capture';
  // skip a UTF-8 byte order mark and blank space; an NDJSON flow record is a JSON object
  let i = head.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i < head.length && head[i] === 0x7b /* { */) return 'ndjson';
  const what = head.length === 0 ? 'it is empty' : i === head.length ? 'it holds only blank space' : 'it starts with neither a capture magic number nor a JSON object';
  throw new CallsentryError('USAGE', `${file}: not a pcap, pcapng or NDJSON file (${what})`);
}

/** Checks every input before a command starts anything: it exists, is a file, and has a known kind. */
export function inputKinds(files: string[]): Map<string, InputKind> {
  return new Map(files.map((f) => [f, inputKind(f)]));
}

function readHead(file: string): Buffer {
  let fd: number | undefined;
  try {
    if (statSync(file).isDirectory()) throw new CallsentryError('USAGE', `${file} is a directory; name the capture or NDJSON files in it`);
    fd = openSync(file, 'r');
    const head = Buffer.alloc(SNIFF_BYTES);
    return head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0));
  } catch (err) {
    if (err instanceof CallsentryError) throw err;
    throw new CallsentryError('USAGE', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
