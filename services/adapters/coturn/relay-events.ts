// What coturn tells us about an allocation, typed. Produced by the Redis statistics channels
// (status, traffic) and by coturn's log (peers, which the statistics channels never name).
import type { Endpoint, Transport } from '../../core/records';

/** Names one allocation as coturn's channels do; `allocationId` is coturn's session id. */
export interface AllocationRef {
  realm: string;
  user: string;
  allocationId: string;
}

export interface StatusEvent extends AllocationRef {
  kind: 'status';
  status: 'new' | 'refreshed' | 'deleted';
  /** seconds granted; 0 when the client released the allocation. Absent on `deleted`. */
  lifetimeSeconds?: number;
  transport?: Transport;
  /** the TURN listener the client talks to */
  local?: Endpoint;
  /** the client, as the relay sees it */
  remote?: Endpoint;
}

/** Packet and byte counters as coturn names them: received from / sent to the client (or peers). */
export interface TrafficCounters {
  rcvp: number;
  rcvb: number;
  sentp: number;
  sentb: number;
}

export interface TrafficEvent extends AllocationRef {
  /** `traffic`: counted since coturn's previous report; `total_traffic`: whole allocation, at its end */
  kind: 'traffic' | 'total_traffic';
  /** client side of the relay, or the peer side */
  side: 'client' | 'peer';
  counters: TrafficCounters;
}

/** A permission or channel to a peer was granted/renewed or removed (from coturn's log). */
export interface PeerEvent {
  kind: 'peer';
  allocationId: string;
  peer: Endpoint;
  change: 'updated' | 'deleted';
}

export type StatsEvent = StatusEvent | TrafficEvent;
export type RelayEvent = StatsEvent | PeerEvent;

export type BadInputReason = 'oversized' | 'unknown-channel' | 'bad-status' | 'bad-traffic' | 'bad-endpoint';

/** Why an input was unusable, with the offending text cut to a safe length. */
export interface BadInput {
  reason: BadInputReason;
  detail: string;
  raw: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; bad: BadInput };
