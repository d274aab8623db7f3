// The few lines of ustar needed to read a .tar.gz test corpus in memory, so tests need neither a
// tar binary nor a temporary directory.
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface TarEntry {
  name: string;
  data: Buffer;
}

function octal(buf: Buffer, offset: number, length: number): number {
  const text = buf.toString('latin1', offset, offset + length).replace(/\0.*$/s, '').trim();
  return text.length === 0 ? 0 : parseInt(text, 8);
}

/** Regular files of a gzip-compressed tar archive. */
export function readTarGz(file: string): TarEntry[] {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const prefix = header.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + 512;
    if (!Number.isFinite(size) || dataStart + size > tar.length) throw new Error(`corrupt tar entry at ${offset}`);
    if (type === '0' || type === '\0') {
      entries.push({ name: prefix ? `${prefix}/${name}` : name, data: tar.subarray(dataStart, dataStart + size) });
    }
    offset = dataStart + Math.ceil(size / 512) * 512;
  }
  return entries;
}
