// The one way a capture file fails: a stable code, the byte offset where reading stopped, and the
// file. A corrupt file ends the read with this error; it never crashes the process.

export const CAPTURE_ERRORS = {
  'not-a-capture': 'the file starts with neither a pcap nor a pcapng magic number',
  truncated: 'the file ends in the middle of a header or a record',
  corrupt: 'a length or a block structure is impossible',
  io: 'the file could not be opened or read',
} as const;

export type CaptureErrorCode = keyof typeof CAPTURE_ERRORS;

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    readonly offset: number,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message} at byte ${offset}`, options);
    this.name = 'CaptureError';
  }
}
