// Turns coturn's allocation reports into relay media flow records. Pure: time comes in with each
// call, nothing here does I/O.
//
// One allocation yields one or more records. Each carries the packets and bytes counted since the
// allocation's previous record and the span they cover, so a detector that sums a window never
// counts the same packet twice:
//   - interim: coturn reports `traffic` every 4096 packets of a long allocation; once the counts
//     have settled (no final report right behind them) they become a record;
//   - final: on `total_traffic` (coturn's whole-allocation count, after `deleted`), or when a
//     deleted allocation never got one, or when an allocation outlives its lifetime unseen.
// State is bounded: at most `maxAllocations` live allocations (the least recently seen is closed
// with a final record when a new one needs room) and `maxPeers` peers each.
import { stableId } from '../../core/ids';
import { toIso } from '../../core/clock';
import type { Endpoint, MediaFlow, Transport } from '../../core/records';
import type { RelayEvent, StatusEvent, TrafficCounters, TrafficEvent } from '../../adapters/coturn/relay-events';

export interface RelayFlowOptions {
  /** traffic older than this with no final report behind it becomes an interim record */
  settleMs?: number;
  /** added to an allocation's lifetime before it is closed as timed out */
  graceMs?: number;
  maxAllocations?: number;
  maxPeers?: number;
  /** peers seen in the log before the allocation's first report, kept for this many allocations */
  maxOrphanPeerSets?: number;
}

export type CloseReason = 'total' | 'deleted' | 'timeout' | 'evicted' | 'flush';

export type RelayOutput =
  | { kind: 'record'; record: MediaFlow; allocationId: string; final: boolean; reason?: CloseReason }
  /** an allocation whose client address never appeared (we joined after its last status report) */
  | { kind: 'unusable'; allocationId: string; reason: 'no-client-address'; packets: number };

export interface RelayFlowStats {
  live: number;
  records: number;
  evicted: number;
  timedOut: number;
  unusable: number;
}

interface Allocation {
  realm: string;
  user: string;
  id: string;
  firstSeen: number;
  lastSeen: number;
  /** start of the span the pending counters cover */
  windowStart: number;
  lifetimeMs: number;
  transport: Transport;
  local?: Endpoint;
  remote?: Endpoint;
  /** counted since the previous record */
  pending: TrafficCounters;
  /** counted into records so far */
  emitted: TrafficCounters;
  lastTrafficAt?: number;
  deletedAt?: number;
  seq: number;
}

const DEFAULT_LIFETIME_MS = 600_000; // RFC 8656 default allocation lifetime

export class RelayFlows {
  private readonly allocations = new Map<string, Allocation>();
  /** allocation id to peer IPs; ids come from one coturn, so the id alone joins log and channels */
  private readonly peers = new Map<string, Set<string>>();
  private readonly settleMs: number;
  private readonly graceMs: number;
  private readonly maxAllocations: number;
  private readonly maxPeers: number;
  private readonly maxOrphanPeerSets: number;
  readonly stats: RelayFlowStats = { live: 0, records: 0, evicted: 0, timedOut: 0, unusable: 0 };

  constructor(opts: RelayFlowOptions = {}) {
    this.settleMs = opts.settleMs ?? 2000;
    this.graceMs = opts.graceMs ?? 30_000;
    this.maxAllocations = opts.maxAllocations ?? 50_000;
    this.maxPeers = opts.maxPeers ?? 64;
    this.maxOrphanPeerSets = opts.maxOrphanPeerSets ?? 10_000;
  }

  /** One report, received at `now` (epoch ms). Returns the records it completes. */
  apply(event: RelayEvent, now: number): RelayOutput[] {
    if (event.kind === 'peer') {
      if (event.change === 'updated') this.addPeer(event.allocationId, event.peer.ip);
      return [];
    }
    // peer-side counters cannot be told apart in a media flow record: the client side is what the
    // allocation cost the relay
    if (event.kind !== 'status' && event.side === 'peer') return [];
    const key = keyOf(event);
    const existing = this.allocations.get(key);
    // late reports of an allocation already closed must not bring it back
    if (!existing && event.kind === 'status' && event.status === 'deleted') return [];
    const out: RelayOutput[] = [];
    const alloc = existing ?? this.open(event, now, out);
    // re-insert: Map order is then least recently seen first, which is what eviction wants
    this.allocations.delete(key);
    this.allocations.set(key, alloc);
    alloc.lastSeen = now;
    if (event.kind === 'status') this.onStatus(alloc, event, now);
    else if (event.kind === 'traffic') this.onTraffic(alloc, event, now);
    else out.push(...this.close(key, alloc, now, 'total', event.counters));
    this.stats.live = this.allocations.size;
    return out;
  }

  /** Interim records for settled traffic, final ones for allocations deleted or timed out. */
  tick(now: number): RelayOutput[] {
    const out: RelayOutput[] = [];
    for (const [key, alloc] of this.allocations) {
      if (alloc.deletedAt !== undefined) {
        if (now - alloc.deletedAt >= this.settleMs) out.push(...this.close(key, alloc, now, 'deleted'));
      } else if (now - alloc.lastSeen > alloc.lifetimeMs + this.graceMs) {
        this.stats.timedOut++;
        out.push(...this.close(key, alloc, now, 'timeout'));
      } else if (alloc.lastTrafficAt !== undefined && now - alloc.lastTrafficAt >= this.settleMs && hasTraffic(alloc.pending)) {
        out.push(...this.emit(alloc, now, false));
      }
    }
    this.stats.live = this.allocations.size;
    return out;
  }

  /** On shutdown: the counts not yet in a record, as interim records; allocations stay open. */
  flush(now: number): RelayOutput[] {
    const out: RelayOutput[] = [];
    for (const alloc of this.allocations.values()) if (hasTraffic(alloc.pending)) out.push(...this.emit(alloc, now, false, 'flush'));
    return out;
  }

  private open(event: StatusEvent | TrafficEvent, now: number, out: RelayOutput[]): Allocation {
    while (this.allocations.size >= this.maxAllocations) {
      const [oldestKey, oldest] = this.allocations.entries().next().value as [string, Allocation];
      this.stats.evicted++;
      out.push(...this.close(oldestKey, oldest, now, 'evicted'));
    }
    return {
      realm: event.realm,
      user: event.user,
      id: event.allocationId,
      firstSeen: now,
      lastSeen: now,
      windowStart: now,
      lifetimeMs: DEFAULT_LIFETIME_MS,
      transport: 'udp',
      pending: zero(),
      emitted: zero(),
      seq: 0,
    };
  }

  private onStatus(alloc: Allocation, event: StatusEvent, now: number): void {
    if (event.status === 'deleted') {
      alloc.deletedAt = now;
      return;
    }
    if (event.lifetimeSeconds !== undefined && event.lifetimeSeconds > 0) alloc.lifetimeMs = event.lifetimeSeconds * 1000;
    if (event.transport) alloc.transport = event.transport;
    if (event.local) alloc.local = event.local;
    if (event.remote) alloc.remote = event.remote;
  }

  private onTraffic(alloc: Allocation, event: TrafficEvent, now: number): void {
    add(alloc.pending, event.counters);
    alloc.lastTrafficAt = now;
  }

  private close(key: string, alloc: Allocation, now: number, reason: CloseReason, total?: TrafficCounters): RelayOutput[] {
    if (total) {
      // coturn's total is authoritative: whatever it counted beyond our records is the remainder
      alloc.pending = {
        rcvp: Math.max(0, total.rcvp - alloc.emitted.rcvp),
        rcvb: Math.max(0, total.rcvb - alloc.emitted.rcvb),
        sentp: Math.max(0, total.sentp - alloc.emitted.sentp),
        sentb: Math.max(0, total.sentb - alloc.emitted.sentb),
      };
    }
    this.allocations.delete(key);
    const out = this.emit(alloc, alloc.deletedAt ?? now, true, reason);
    this.peers.delete(alloc.id);
    return out;
  }

  private emit(alloc: Allocation, end: number, final: boolean, reason?: CloseReason): RelayOutput[] {
    const counters = alloc.pending;
    const packets = counters.rcvp + counters.sentp;
    const bytes = counters.rcvb + counters.sentb;
    add(alloc.emitted, counters);
    alloc.pending = zero();
    alloc.lastTrafficAt = undefined;
    const start = alloc.windowStart;
    alloc.windowStart = end;
    const seq = alloc.seq++;
    if (!alloc.remote || !alloc.local) {
      this.stats.unusable++;
      return [{ kind: 'unusable', allocationId: alloc.id, reason: 'no-client-address', packets }];
    }
    const durationMs = Math.max(0, Math.round(end - start));
    const peers = [...(this.peers.get(alloc.id) ?? [])];
    const record: MediaFlow = {
      '@timestamp': toIso(end),
      event: {
        // the first-seen time tells apart allocations of two coturn runs that reuse an id
        id: stableId('relay', alloc.realm, alloc.user, alloc.id, alloc.firstSeen, seq),
        kind: 'event',
        dataset: 'media.flow',
        duration: durationMs * 1_000_000,
      },
      source: { ...alloc.remote },
      destination: { ...alloc.local },
      network: { transport: alloc.transport },
      media: {
        srtp: false, // the relay forwards opaque payloads; nothing here says whether they are SRTP
        packets,
        bytes,
        duration_ms: durationMs,
        relay: { user: alloc.user, realm: alloc.realm, ...(peers.length ? { peers } : {}) },
      },
    };
    this.stats.records++;
    return [{ kind: 'record', record, allocationId: alloc.id, final, ...(reason ? { reason } : {}) }];
  }

  private addPeer(allocationId: string, ip: string): void {
    let set = this.peers.get(allocationId);
    if (!set) {
      // bounded even when the log names allocations whose reports never reach us
      if (this.peers.size >= this.maxOrphanPeerSets + this.maxAllocations) {
        const oldest = this.peers.keys().next().value as string;
        this.peers.delete(oldest);
      }
      this.peers.set(allocationId, (set = new Set()));
    }
    if (set.size < this.maxPeers) set.add(ip);
  }
}

function keyOf(ref: { realm: string; user: string; allocationId: string }): string {
  return `${ref.realm}\u001f${ref.user}\u001f${ref.allocationId}`;
}

function zero(): TrafficCounters {
  return { rcvp: 0, rcvb: 0, sentp: 0, sentb: 0 };
}

function add(into: TrafficCounters, more: TrafficCounters): void {
  into.rcvp += more.rcvp;
  into.rcvb += more.rcvb;
  into.sentp += more.sentp;
  into.sentb += more.sentb;
}

function hasTraffic(c: TrafficCounters): boolean {
  return c.rcvp + c.sentp + c.rcvb + c.sentb > 0;
}
