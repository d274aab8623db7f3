// coturn names an allocation's peers only in its log (verbose), keyed by the same session id that
// the statistics channels use as allocation id:
//   "2026-11-22T00:44:09+0000: session 001000000000000003: peer 127.0.0.1:3481 lifetime updated: 600"
//   "2026-11-22T00:44:12+0000: session 001000000000000003: peer 127.0.0.1:3481 deleted"
// Other lines are not ours: they yield undefined, not an error.
import { parseEndpoint } from './endpoint';
import type { PeerEvent } from './relay-events';

// anchored at both ends: the timestamp prefix has no space, and user names (client-chosen) only
// appear in other kinds of lines
const PEER_LINE = /^[^ ]{1,40}: session (\d{1,24}): peer (\S{1,64}) (lifetime updated: \d+|deleted)$/;
export const MAX_LOG_LINE = 2048;

export function parsePeerLogLine(line: string): PeerEvent | undefined {
  if (line.length > MAX_LOG_LINE || !line.includes(': peer ')) return undefined;
  const m = PEER_LINE.exec(line.trimEnd());
  if (!m) return undefined;
  const peer = parseEndpoint(m[2] as string);
  if (!peer) return undefined;
  return { kind: 'peer', allocationId: m[1] as string, peer, change: m[3] === 'deleted' ? 'deleted' : 'updated' };
}
