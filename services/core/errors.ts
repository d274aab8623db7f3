// One error base class: a stable code, whether a retry can help, the cause and context.
// Every code is listed with its meaning in docs/errors.md (errors.test.ts checks that).

export const ERROR_CODES = {
  BAD_JSON: 'record is not valid JSON',
  BAD_RECORD: 'record does not match its JSON Schema',
  OVERSIZED: 'record or line exceeds the size limit',
  BAD_CAPTURE: 'a capture file is not pcap/pcapng, or is truncated or corrupt',
  MALFORMED_SIP: 'a captured SIP message could not be parsed (malformed, truncated or over a limit)',
  UNKNOWN_TOPIC: 'no schema is known for the topic',
  BAD_CONFIG: 'configuration file is invalid',
  BUS_UNAVAILABLE: 'the message bus cannot be reached',
  HANDLER_FAILED: 'a stage failed to process a batch',
  ACTUATOR_FAILED: 'an enforcement point rejected or failed an action',
  SINK_FAILED: 'an alert sink (Alertmanager, webhook) stayed unreachable or refused alerts after its retries',
  INDEX_REJECTED: 'Elasticsearch rejected a document (a mapping error or an invalid value)',
  INDEX_UNAVAILABLE: 'Elasticsearch cannot be reached or keeps refusing bulk requests',
  USAGE: 'the command line is invalid',
  AUDIT_CHAIN_BROKEN: 'an audit log or export does not verify: an entry was altered, removed, reordered or inserted',
  AUDIT_CHAIN_BEHIND: 'the audit log ends below an entry already exported or published on audit.log.v1: it was cut, emptied or restored from an older copy',
  AUDIT_KEY: 'the audit signing key is missing, unreadable or not an Ed25519 private key',
  AUDIT_STORAGE: 'the audit log file cannot be read or written',
  NOT_FOUND: 'what an operator command names is not there: an address not blocked, a range not allowlisted, a finding no longer in the history',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CallsentryError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retriable?: boolean; cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CallsentryError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.context = opts.context ?? {};
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof CallsentryError ? err.retriable : false;
}
