// pino-style logger: an object first, a fixed message; one JSON line per entry on stderr; secrets
// redacted by key name wherever they appear.
import type { Logger } from '../../core/ports';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
export type Level = keyof typeof LEVELS;

const SECRET_KEY = /pass(word)?|secret|authorization|token|credential|api[-_]?key|cookie|nonce_response/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: value.message, ...(('code' in value) ? { code: (value as { code: unknown }).code } : {}) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export function createJsonLogger(opts: { level?: Level; write?: (line: string) => void; bindings?: object } = {}): Logger {
  const min = LEVELS[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const bindings = opts.bindings ?? {};
  const emit = (level: Level) => (obj: object, msg: string) => {
    if (LEVELS[level] < min) return;
    write(JSON.stringify({ level, time: new Date().toISOString(), ...bindings, ...(redact(obj) as object), msg }));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => createJsonLogger({ ...opts, bindings: { ...bindings, ...more } }),
  };
}
