// coturn's statistics channels (redis-statsdb), one per allocation and kind of report:
//   turn/realm/<realm>/user/<user>/allocation/<id>/status
//   turn/realm/<realm>/user/<user>/allocation/<id>/traffic            (and /traffic/peer)
//   turn/realm/<realm>/user/<user>/allocation/<id>/total_traffic      (and /total_traffic/peer)
import type { AllocationRef } from './relay-events';

export type ChannelKind = 'status' | 'traffic' | 'traffic/peer' | 'total_traffic' | 'total_traffic/peer';

export interface StatsChannel extends AllocationRef {
  kind: ChannelKind;
}

const PREFIX = 'turn/realm/';
const KINDS: ReadonlySet<string> = new Set<ChannelKind>(['status', 'traffic', 'traffic/peer', 'total_traffic', 'total_traffic/peer']);
// coturn numbers sessions with a decimal id (server id and counter)
const ALLOCATION_ID = /^\d{1,24}$/;
const MAX_NAME = 256;
export const MAX_CHANNEL_LENGTH = 700;

/** The pattern that receives every allocation report, for one realm or all of them. */
export function statsPattern(realm?: string): string {
  return `${PREFIX}${realm === undefined ? '*' : escapeGlob(realm)}/user/*/allocation/*`;
}

export function parseStatsChannel(channel: string): StatsChannel | undefined {
  if (channel.length > MAX_CHANNEL_LENGTH || !channel.startsWith(PREFIX)) return undefined;
  const rest = channel.slice(PREFIX.length);
  // a realm never holds '/', a user name might: cut the realm at the first marker and the user
  // at the last one
  const userAt = rest.indexOf('/user/');
  const allocationAt = rest.lastIndexOf('/allocation/');
  if (userAt <= 0 || allocationAt <= userAt + '/user/'.length) return undefined;
  const realm = rest.slice(0, userAt);
  const user = rest.slice(userAt + '/user/'.length, allocationAt);
  const tail = rest.slice(allocationAt + '/allocation/'.length);
  const slash = tail.indexOf('/');
  if (slash <= 0) return undefined;
  const allocationId = tail.slice(0, slash);
  const kind = tail.slice(slash + 1);
  if (!ALLOCATION_ID.test(allocationId) || !KINDS.has(kind)) return undefined;
  if (realm.length > MAX_NAME || user.length > MAX_NAME || user.length === 0) return undefined;
  return { realm, user, allocationId, kind: kind as ChannelKind };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
