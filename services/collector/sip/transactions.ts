// Transaction correlation (RFC 3261 section 17) as seen by a passive observer: parsed messages in
// capture order in, one SipFlow per transaction out. Event time only: the clock is the timestamps
// of the messages (or advance() from a live source).
//
// A client transaction is keyed by top Via branch, CSeq number and method (ACK folds into INVITE),
// Call-ID and the client's address, the "direction": responses travel back to it. Open
// transactions live in one map per state, so each map expires oldest-first in O(1):
//   trying       request seen, no response yet             Timer B/F: transactionTimeoutMs
//   proceeding   INVITE with a provisional response         Timer C: proceedingTimeoutMs
//   awaitingAck  INVITE with its final response            ackWaitMs for the ACK that may prove it
//   completed    emitted; absorbs retransmissions and late ACKs for lingerMs
import type { Endpoint, SipFlow, Transport } from '../../core/records';
import { BoundedMap } from './bounded-map';
import { CallTags } from './call-tags';
import { LIMIT, toSipFlow, type RecordContext, type TransactionRecord } from './flow-record';
import { parseUri } from './name-addr';
import { NonceRegistry } from './nonce-registry';
import { summarizeSdp, type SdpDescription } from './sdp';
import { extractSdp } from './sdp-body';
import type { Credentials, NameAddr, ParseFailure, SipMessage } from './sip-message';
import { countMessage, countParseFailure, createSipStats, type SipStats } from './sip-stats';
import { detach } from './text-scan';

export interface PacketMeta {
  timeMs: number;
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  transport: Transport;
  /**
   * false: a connection-oriented transport whose handshake the sensor did not see completed (a
   * passive capture), so it proves nothing. Absent: the transport proves itself (HEP from the
   * server, which sees only real connections).
   */
  connectionProven?: boolean;
}

export interface SdpEvent {
  callId: string;
  timeMs: number;
  /** who sent the SDP: it announces where that side receives media */
  sender: Endpoint;
  kind: 'offer' | 'answer';
  sdp: SdpDescription;
}

export interface CorrelatorOptions extends RecordContext {
  /** request without any response (Timer B/F). Default 32 s. */
  transactionTimeoutMs?: number;
  /** INVITE with a provisional response but no final one (Timer C). Default 180 s. */
  proceedingTimeoutMs?: number;
  /** how long an answered INVITE waits for its ACK before it is emitted. Default 4 s. */
  ackWaitMs?: number;
  /** how long an emitted transaction absorbs retransmissions. Default 32 s. */
  lingerMs?: number;
  /** open transactions per state map. Default 100,000. */
  maxTransactions?: number;
  /** calls without a confirmed dialog (tags for ACK/BYE proofs). Default 100,000, idle 64 s. */
  maxEarlyCalls?: number;
  /** confirmed dialogs. Default 50,000, idle 2 h. */
  maxDialogs?: number;
  dialogIdleMs?: number;
  /** 401/407 nonces remembered for proofs. Default 100,000 for 5 min. */
  maxNonces?: number;
  nonceTtlMs?: number;
  /** every SDP offer or answer seen (media tracking registers its addresses from this) */
  onSdp?: (event: SdpEvent) => void;
  stats?: SipStats;
}

interface Completed {
  atMs: number;
  status?: number;
}

/** requests that act on an existing call when they carry a To tag (BYE and CANCEL always do) */
const IN_DIALOG_WITH_TAG: ReadonlySet<string> = new Set(['INVITE', 'REFER', 'UPDATE']);
const CONNECTION_ORIENTED: ReadonlySet<Transport> = new Set(['tcp', 'tls', 'ws', 'wss', 'sctp']);
const SEP = '\u0001';

/**
 * Keys are concatenations of slices of the message text: a key stored in a map must be detach()ed,
 * or it keeps the whole header block alive as long as the entry lives.
 */
function txKey(branch: string, method: string, clientIp: string, callId: string, cseq: number): string {
  return method + SEP + cseq + SEP + clientIp + SEP + branch + SEP + callId;
}

/** Matches an INVITE with its ACK whether the ACK reuses the branch (non-2xx) or not (2xx). */
function ackKey(callId: string, cseq: number, clientIp: string): string {
  return callId + SEP + cseq + SEP + clientIp;
}

export class SipCorrelator {
  readonly stats: SipStats;
  private readonly opts: Required<Omit<CorrelatorOptions, keyof RecordContext | 'onSdp' | 'stats'>>;
  private readonly ctx: RecordContext;
  private readonly trying: BoundedMap<string, TransactionRecord>;
  private readonly proceeding: BoundedMap<string, TransactionRecord>;
  private readonly awaitingAck: BoundedMap<string, TransactionRecord>;
  private readonly completed: BoundedMap<string, Completed>;
  private readonly nonces: NonceRegistry;
  private readonly calls: CallTags;
  private out: SipFlow[] = [];
  private nowMs = -Infinity;
  private lastSweepMs = -Infinity;

  constructor(private readonly options: CorrelatorOptions = {}) {
    this.stats = options.stats ?? createSipStats();
    this.opts = {
      transactionTimeoutMs: options.transactionTimeoutMs ?? 32_000,
      proceedingTimeoutMs: options.proceedingTimeoutMs ?? 180_000,
      ackWaitMs: options.ackWaitMs ?? 4_000,
      lingerMs: options.lingerMs ?? 32_000,
      maxTransactions: options.maxTransactions ?? 100_000,
      maxEarlyCalls: options.maxEarlyCalls ?? 100_000,
      maxDialogs: options.maxDialogs ?? 50_000,
      dialogIdleMs: options.dialogIdleMs ?? 2 * 3600_000,
      maxNonces: options.maxNonces ?? 100_000,
      nonceTtlMs: options.nonceTtlMs ?? 300_000,
    };
    this.ctx = {};
    if (options.observerId) this.ctx.observerId = options.observerId;
    if (options.organizationId) this.ctx.organizationId = options.organizationId;
    const max = this.opts.maxTransactions;
    // Pushed out by the cap before their time: emitted without a status, and counted.
    const evictOpen = (_key: string, t: TransactionRecord): void => {
      this.stats.evicted.transactions++;
      this.emit(t);
    };
    this.trying = new BoundedMap(max, evictOpen);
    this.proceeding = new BoundedMap(max, evictOpen);
    this.awaitingAck = new BoundedMap(max, (_key, t) => this.emit(t));
    this.completed = new BoundedMap(max);
    this.nonces = new NonceRegistry(this.opts.maxNonces, this.opts.nonceTtlMs, () => this.stats.evicted.nonces++);
    this.calls = new CallTags({
      maxEarlyCalls: this.opts.maxEarlyCalls,
      earlyIdleMs: 2 * this.opts.transactionTimeoutMs,
      maxDialogs: this.opts.maxDialogs,
      dialogIdleMs: this.opts.dialogIdleMs,
      onEvictDialog: () => this.stats.evicted.dialogs++,
    });
  }

  /** Open transactions and remembered state, for gauges and memory checks. */
  get sizes(): { open: number; completed: number; dialogs: number; nonces: number } {
    return {
      open: this.trying.size + this.proceeding.size + this.awaitingAck.size,
      completed: this.completed.size,
      dialogs: this.calls.dialogCount,
      nonces: this.nonces.size,
    };
  }

  /** Record a message the caller could not parse. */
  noteParseFailure(reason: ParseFailure): void {
    countParseFailure(this.stats, reason);
  }

  /** Feed one parsed message; returns the flows this completed (possibly none). */
  push(msg: SipMessage, meta: PacketMeta): readonly SipFlow[] {
    this.expire(meta.timeMs);
    countMessage(this.stats, msg);
    if (msg.kind === 'request') {
      if (msg.method === 'ACK') this.onAck(msg, meta);
      else this.onRequest(msg, meta);
    } else this.onResponse(msg, meta);
    return this.drain();
  }

  /** Let event time pass without a message (idle live source). */
  advance(nowMs: number): readonly SipFlow[] {
    this.expire(nowMs);
    return this.drain();
  }

  /** End of input: emit every open transaction as it stands. */
  flush(): readonly SipFlow[] {
    for (const map of [this.trying, this.proceeding]) {
      for (const t of map.values()) {
        this.stats.timeouts++;
        this.emit(t);
      }
      map.clear();
    }
    for (const t of this.awaitingAck.values()) this.emit(t);
    this.awaitingAck.clear();
    return this.drain();
  }

  private drain(): readonly SipFlow[] {
    if (this.out.length === 0) return NO_FLOWS;
    const flows = this.out;
    this.out = [];
    return flows;
  }

  private emit(t: TransactionRecord): void {
    this.completed.set(txKey(t.branch, t.method, t.src.ip, t.callId, t.cseq), { atMs: this.nowMs, ...(t.status !== undefined && { status: t.status }) });
    this.out.push(toSipFlow(t, this.ctx));
  }

  private expire(timeMs: number): void {
    if (!(timeMs > this.nowMs)) return; // event time never goes back
    const now = (this.nowMs = timeMs);
    if (now - this.lastSweepMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = now;
    const { transactionTimeoutMs, proceedingTimeoutMs, ackWaitMs, lingerMs } = this.opts;
    for (const [, t] of this.trying.shiftWhile((t) => now - t.startMs >= transactionTimeoutMs)) {
      this.stats.timeouts++;
      this.emit(t);
    }
    for (const [, t] of this.proceeding.shiftWhile((t) => now - t.lastMs >= proceedingTimeoutMs)) {
      this.stats.timeouts++;
      this.emit(t);
    }
    for (const [, t] of this.awaitingAck.shiftWhile((t) => now - (t.finalMs ?? t.startMs) >= ackWaitMs)) this.emit(t);
    this.completed.shiftWhile((c) => now - c.atMs >= lingerMs);
    this.nonces.expire(now);
    this.calls.expire(now);
  }

  private provenByPacket(msg: SipMessage, meta: PacketMeta): boolean {
    if (CONNECTION_ORIENTED.has(meta.transport) && meta.connectionProven !== false) return true;
    for (const c of msg.credentials ?? NO_CREDENTIALS) {
      if (c.nonce !== undefined && this.nonces.sentTo(c.nonce, meta.src.ip, meta.src.port, meta.timeMs)) return true;
    }
    const toTag = msg.to.tag;
    return toTag !== undefined && this.calls.echoes(msg.callId, toTag, meta.src.ip, meta.dst.ip);
  }

  /** What a transaction keeps of its request: detached copies, clipped to the record's limits. */
  private record(msg: SipMessage, meta: PacketMeta, proven: boolean): TransactionRecord {
    const t: TransactionRecord = {
      method: detach(msg.method, LIMIT.method),
      callId: detach(msg.callId, LIMIT.callId),
      cseq: msg.cseq.seq,
      branch: detach(msg.via[0]?.branch ?? '', LIMIT.short),
      from: party(msg.from),
      to: party(msg.to),
      src: { ip: meta.src.ip, port: meta.src.port },
      dst: { ip: meta.dst.ip, port: meta.dst.port },
      transport: meta.transport,
      startMs: meta.timeMs,
      lastMs: meta.timeMs,
      proven,
    };
    if (msg.requestUri !== undefined) {
      t.requestUri = detach(msg.requestUri, LIMIT.text);
      const user = parseUri(msg.requestUri)?.user;
      if (user !== undefined) t.requestUser = detach(user, LIMIT.short);
    }
    if (msg.userAgent !== undefined) t.userAgent = detach(msg.userAgent, LIMIT.text);
    const authUser = msg.credentials?.[0]?.username;
    if (authUser) t.authUser = detach(authUser, LIMIT.short);
    if (msg.referTo?.uri) t.referTo = detach(msg.referTo.uri, LIMIT.text);
    const sdp = this.sdpOf(msg, meta, msg.method === 'ACK' ? 'answer' : 'offer');
    if (sdp) t.sdp = sdp;
    return t;
  }

  private sdpOf(msg: SipMessage, meta: PacketMeta, kind: SdpEvent['kind']): TransactionRecord['sdp'] {
    const desc = extractSdp(msg);
    if (!desc) return undefined;
    this.options.onSdp?.({ callId: msg.callId, timeMs: meta.timeMs, sender: { ip: meta.src.ip, port: meta.src.port }, kind, sdp: desc });
    return summarizeSdp(desc);
  }

  private noteTags(msg: SipMessage, meta: PacketMeta): void {
    // a message carries its sender's own tag: From in requests, To in responses
    const tag = msg.kind === 'request' ? msg.from.tag : msg.to.tag;
    if (tag !== undefined) this.calls.delivered(msg.callId, tag, meta.src.ip, meta.dst.ip, meta.timeMs);
  }

  private onRequest(msg: SipMessage, meta: PacketMeta): void {
    const key = txKey(msg.via[0]?.branch ?? '', msg.method, meta.src.ip, msg.callId, msg.cseq.seq);
    if (this.trying.has(key) || this.proceeding.has(key) || this.completed.has(key) || this.isAwaitingAck(msg, meta, key)) {
      this.stats.retransmissions++;
      return;
    }
    const proven = this.provenByPacket(msg, meta);
    // before noteTags: the request's own tag would make its sender a party
    const dialog = this.dialogOf(msg, meta);
    this.noteTags(msg, meta);
    this.stats.transactions++;
    const t = this.record(msg, meta, proven);
    if (dialog) t.dialog = dialog;
    if (msg.method === 'INVITE') {
      this.calls.joined(msg.callId, meta.dst.ip, meta.timeMs);
      if (proven) this.calls.joined(msg.callId, meta.src.ip, meta.timeMs);
      // a proxy forwards a phone's call without its credentials (it consumed them): the caller
      // was challenged one hop earlier. Only the address the INVITE with credentials went to
      // relays it; a forger can mark nothing but INVITEs from that address (the proxy's own).
      // Not whether the credentials proved themselves: Kamailio shares nonces within a second,
      // and the phone's ACK proves them only after the proxy has forwarded the call.
      if (t.authUser !== undefined) this.calls.authenticated(msg.callId, meta.dst.ip);
      else if (t.authUser === undefined && this.calls.relaysAuthenticated(msg.callId, meta.src.ip)) t.upstreamAuth = true;
    }
    this.trying.set(detach(key), t);
  }

  /**
   * For a request that acts on an existing call (a teardown, a cancel, a re-INVITE, a transfer):
   * whether the sensor knows the call and its sender is one of the call's parties. A CANCEL
   * carries no To tag; its sender must be the INVITE's.
   */
  private dialogOf(msg: SipMessage, meta: PacketMeta): TransactionRecord['dialog'] {
    const method = msg.method;
    const toTag = msg.to.tag;
    if (!(method === 'BYE' || method === 'CANCEL' || (IN_DIALOG_WITH_TAG.has(method) && toTag !== undefined))) return undefined;
    const s = this.calls.standing(msg.callId, meta.src.ip, method === 'CANCEL' ? undefined : toTag);
    let party = s.party;
    if (method === 'CANCEL' && !party) {
      const invite = txKey(msg.via[0]?.branch ?? '', 'INVITE', meta.src.ip, msg.callId, msg.cseq.seq);
      party = this.trying.has(invite) || this.proceeding.has(invite);
    }
    return { known: s.known, from_party: party };
  }

  private isAwaitingAck(msg: SipMessage, meta: PacketMeta, key: string): boolean {
    if (msg.method !== 'INVITE') return false;
    const t = this.awaitingAck.get(ackKey(msg.callId, msg.cseq.seq, meta.src.ip));
    return t !== undefined && txKey(t.branch, t.method, t.src.ip, t.callId, t.cseq) === key;
  }

  private onAck(msg: SipMessage, meta: PacketMeta): void {
    const branch = msg.via[0]?.branch ?? '';
    const ownKey = txKey(branch, 'ACK', meta.src.ip, msg.callId, msg.cseq.seq);
    if (this.completed.has(ownKey)) {
      this.stats.retransmissions++; // a 2xx ACK we already emitted
      return;
    }
    const proven = this.provenByPacket(msg, meta);
    this.noteTags(msg, meta);
    if (proven) this.calls.joined(msg.callId, meta.src.ip, meta.timeMs);
    const waitingKey = ackKey(msg.callId, msg.cseq.seq, meta.src.ip);
    const invite = this.awaitingAck.get(waitingKey);
    let inviteStatus: number | undefined;
    if (invite) {
      this.stats.acksMatched++;
      this.awaitingAck.delete(waitingKey);
      if (proven) invite.proven = true; // the ACK echoed the tag of our final response
      inviteStatus = invite.status;
      this.emit(invite);
    } else {
      const done = this.completed.get(txKey(branch, 'INVITE', meta.src.ip, msg.callId, msg.cseq.seq));
      if (done) {
        this.stats.acksMatched++;
        inviteStatus = done.status;
      }
    }
    // The ACK of a non-2xx belongs to the INVITE transaction; a 2xx ACK (or a stray one) is its own
    // request and becomes its own flow, with no response by definition.
    if (inviteStatus !== undefined && inviteStatus >= 300) {
      this.completed.set(detach(ownKey), { atMs: this.nowMs });
      return;
    }
    this.emit(this.record(msg, meta, proven));
  }

  private onResponse(msg: SipMessage, meta: PacketMeta): void {
    const status = msg.status!;
    this.noteTags(msg, meta);
    if (msg.method === 'INVITE' && status >= 180 && status < 300) this.calls.joined(msg.callId, meta.dst.ip, meta.timeMs);
    const challenge = msg.challenge;
    if ((status === 401 || status === 407) && challenge?.nonce) this.nonces.challenged(challenge.nonce, meta.src.ip, meta.dst.ip, meta.dst.port, meta.timeMs);

    const clientIp = meta.dst.ip;
    const key = txKey(msg.via[0]?.branch ?? '', msg.method, clientIp, msg.callId, msg.cseq.seq);
    const t = this.trying.get(key) ?? this.proceeding.get(key);
    if (!t) {
      if (status >= 200) {
        if (this.completed.has(key) || this.awaitingAck.has(ackKey(msg.callId, msg.cseq.seq, clientIp))) this.stats.retransmissions++;
        else this.stats.orphanResponses++;
      }
      if (msg.method === 'INVITE') this.sdpOf(msg, meta, 'answer');
      return;
    }
    if (msg.method === 'INVITE') {
      const answer = this.sdpOf(msg, meta, 'answer');
      if (answer && !t.sdp) t.sdp = answer;
    }
    if (status < 200) {
      // An INVITE that got a provisional response may ring for minutes (Timer C, not Timer B);
      // re-inserting moves it to the tail, which keeps the proceeding map ordered by activity.
      if (msg.method === 'INVITE') {
        t.lastMs = meta.timeMs;
        this.trying.delete(key);
        this.proceeding.delete(key);
        this.proceeding.set(detach(key), t);
      }
      return;
    }
    this.trying.delete(key);
    this.proceeding.delete(key);
    t.status = status;
    t.finalMs = meta.timeMs;
    if (msg.method === 'INVITE') {
      if (status < 300 && this.calls.confirm(msg.callId, meta.timeMs)) this.stats.dialogs++;
      const k = ackKey(t.callId, t.cseq, clientIp);
      const previous = this.awaitingAck.get(k);
      if (previous) {
        this.awaitingAck.delete(k); // a fork answered twice: the first answer is final enough
        this.emit(previous);
      }
      this.awaitingAck.set(k, t);
      return;
    }
    if (msg.method === 'BYE' && status < 300) this.calls.end(msg.callId, meta.timeMs);
    this.emit(t);
  }
}

/** From or To as kept by a transaction. */
function party(a: NameAddr): NameAddr {
  const p: NameAddr = {};
  if (a.user !== undefined) p.user = detach(a.user, LIMIT.short);
  if (a.host !== undefined) p.host = detach(a.host, LIMIT.short);
  if (a.display !== undefined) p.display = detach(a.display, LIMIT.short);
  return p;
}

/** Expiry runs at most this often in event time: timeouts are emitted within this slack. */
const SWEEP_INTERVAL_MS = 50;
const NO_CREDENTIALS: readonly Credentials[] = [];
const NO_FLOWS: readonly SipFlow[] = Object.freeze([]);
