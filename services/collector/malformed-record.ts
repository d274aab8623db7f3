// A SIP message that did not parse becomes an event in the flow stream (for detection) besides its
// dead letter (for forensics). Its id is deterministic, so a replay yields the same event.
import { stableId } from '../core/ids';
import type { Endpoint, MalformedSip, Transport } from '../core/records';

export function malformedRecord(m: { timeMs: number; src: Endpoint; dst: Endpoint; transport: Transport; reason: string; detail: string; observerId?: string }): MalformedSip {
  return {
    '@timestamp': new Date(m.timeMs).toISOString(),
    event: { id: stableId('malformed', m.timeMs, m.src.ip, m.src.port ?? 0, m.dst.ip, m.dst.port ?? 0, m.reason), kind: 'event', dataset: 'sip.malformed' },
    source: m.src,
    destination: m.dst,
    network: { transport: m.transport },
    ...(m.observerId ? { observer: { id: m.observerId } } : {}),
    error: { code: m.reason.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 64), message: m.detail.slice(0, 512) },
  };
}
