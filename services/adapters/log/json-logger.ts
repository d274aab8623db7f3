// The logger: pino, one JSON line per entry on stderr, with Elastic Common Schema field names
// (@elastic/ecs-pino-format: `@timestamp`, `log.level`, `message`, an `err` as `error.*`), so the
// lines index beside the records. Secrets are redacted by path: each secret key name at the top
// and up to three objects down (a configuration block, request headers, an error's context).
// A child can have its own level.
import pino from 'pino';
import { ecsFormat } from '@elastic/ecs-pino-format';
import type { Logger } from '../../core/ports';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const SECRET_KEYS = ['password', 'passwd', 'secret', 'token', 'authorization', 'Authorization', 'cookie', 'Cookie', 'api_key', 'apiKey', 'credentials', 'nonce_response', 'auth_key', 'authKey', 'private_key'];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

const ecs = ecsFormat({ apmIntegration: false });
/** ECS, plus `error.code`: the stable code of a CallsentryError (or a Node error) says what failed. */
const ECS: pino.LoggerOptions = {
  ...ecs,
  formatters: {
    ...ecs.formatters,
    log: (obj) => {
      const out = ecs.formatters!.log!(obj);
      const code = obj.err instanceof Error ? (obj.err as { code?: unknown }).code : undefined;
      if (code !== undefined && out.error && typeof out.error === 'object') (out.error as Record<string, unknown>).code = String(code);
      return out;
    },
  },
};

export interface JsonLoggerOptions {
  level?: Level;
  /** where each line goes (without its newline); default: process.stderr, as every other line the CLI writes there */
  write?: (line: string) => void;
  bindings?: object;
}

export function createJsonLogger(opts: JsonLoggerOptions = {}): Logger {
  const write = opts.write;
  const destination = write ? { write: (chunk: string) => write(chunk.replace(/\n$/, '')) } : process.stderr;
  const root = pino({ ...ECS, level: opts.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
  return wrap(opts.bindings ? root.child(opts.bindings) : root);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (obj, msg) => p.debug(obj, msg),
    info: (obj, msg) => p.info(obj, msg),
    warn: (obj, msg) => p.warn(obj, msg),
    error: (obj, msg) => p.error(obj, msg),
    child: (bindings, o) => wrap(p.child(bindings, o?.level ? { level: o.level } : {})),
  };
}
