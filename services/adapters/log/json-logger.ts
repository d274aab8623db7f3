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
  const level = opts.level ?? 'info';
  const root = pino({ ...ECS, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
  return wrap(root, { ...(opts.bindings ?? {}) }, level);
}

// A child's bindings are kept here and given to pino as one flat set: pino writes a child's
// bindings and the entry's fields side by side, so a key in both would appear twice in one line
// (which Elasticsearch refuses). The entry's own value wins, as it is the more specific.
function wrap(root: pino.Logger, bindings: Record<string, unknown>, level: string): Logger {
  const bound = root.child(bindings, { level });
  const at = (lvl: Level) => (obj: object, msg: string) => {
    const clash = Object.keys(obj).some((k) => k in bindings);
    const p = clash ? root.child(Object.fromEntries(Object.entries(bindings).filter(([k]) => !(k in obj))), { level }) : bound;
    p[lvl](obj, msg);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more, o) => wrap(root, { ...bindings, ...more }, o?.level ?? level),
  };
}
