// Which configured meeting room a request is for. Rooms are named as `user` (any domain) or
// `user@domain`; the request's room is its To user (else its request-URI user) and domain.
import type { SipFlow } from '../core/records';
import { dialedOf } from './dialed-number';
import { uriParts } from './sip-uri';

export const ROOM_LIST_SCHEMA = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 } };

/** The entry of `rooms` the request is for, or undefined. */
export function roomOf(r: SipFlow, rooms: readonly string[]): string | undefined {
  if (rooms.length === 0) return undefined;
  const user = dialedOf(r);
  if (user === undefined) return undefined;
  const domain = (r.sip.to?.domain ?? uriParts(r.sip.request_uri).host)?.toLowerCase();
  return rooms.find((room) => {
    const at = room.lastIndexOf('@');
    if (at < 0) return room === user;
    return room.slice(0, at) === user && room.slice(at + 1).toLowerCase() === domain;
  });
}
