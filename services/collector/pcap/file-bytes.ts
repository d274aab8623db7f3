// Sequential reads from a file in large chunks. Callers take views of the current chunk
// synchronously and await only when a chunk boundary is crossed, so a capture is never held in
// memory as a whole and a packet costs no promise in the common case.
import { open, type FileHandle } from 'node:fs/promises';

export class FileBytes {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  /** file position of the first byte after the buffer */
  private filePos = 0;
  private eof = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly chunkSize: number,
  ) {}

  static async open(path: string, chunkSize = 1 << 20): Promise<FileBytes> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new FileBytes(handle, size, chunkSize);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Absolute offset of the next byte take() returns. */
  get offset(): number {
    return this.filePos - (this.buf.length - this.off);
  }

  get buffered(): number {
    return this.buf.length - this.off;
  }

  has(n: number): boolean {
    return this.buf.length - this.off >= n;
  }

  /** Buffer at least `n` bytes unless the file ends first; returns what is buffered. */
  async fill(n: number): Promise<number> {
    if (this.has(n) || this.eof) return this.buffered;
    const rest = this.buf.subarray(this.off);
    const next = Buffer.allocUnsafe(Math.max(this.chunkSize, n));
    rest.copy(next, 0);
    let length = rest.length;
    while (length < n && !this.eof) {
      const { bytesRead } = await this.handle.read(next, length, next.length - length, this.filePos);
      if (bytesRead === 0) this.eof = true;
      this.filePos += bytesRead;
      length += bytesRead;
    }
    this.buf = next.subarray(0, length);
    this.off = 0;
    return length;
  }

  /** The next `n` bytes without consuming them; requires has(n). */
  peek(n: number): Buffer {
    return this.buf.subarray(this.off, this.off + n);
  }

  /** A view of the next `n` bytes (valid until the next fill); requires has(n). */
  take(n: number): Buffer {
    const view = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return view;
  }

  /** Skip `n` bytes, past the buffer if needed, without reading them. Returns false at EOF. */
  skip(n: number): boolean {
    const inBuffer = Math.min(n, this.buffered);
    this.off += inBuffer;
    const beyond = n - inBuffer;
    if (beyond === 0) return true;
    this.filePos += beyond;
    return this.filePos <= this.size;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
