// Records on the wire: JSON values, headers with schema version, sensor and tenant.
import type { BusMessage, OutgoingMessage } from './ports';
import { HEADER } from './topics';
import { SCHEMA_VERSION } from './records';

/** `record` may already be its JSON text (a validated input line): it is then sent as it is. */
export function encode(key: string | null, record: object | string, eventTimeMs?: number, headers: Record<string, string> = {}): OutgoingMessage {
  return {
    key,
    value: typeof record === 'string' ? record : JSON.stringify(record),
    headers: { [HEADER.schemaVersion]: String(SCHEMA_VERSION), ...headers },
    ...(eventTimeMs !== undefined && Number.isFinite(eventTimeMs) ? { timestamp: eventTimeMs } : {}),
  };
}

/** Records inside the bus were validated at the edge; a stage only needs to parse them. */
export function decode<T>(m: BusMessage): T {
  return JSON.parse(m.value.toString('utf8')) as T;
}
