// Which SIP messages become evidence records. The collector does not know findings, so it samples
// per finding key: the source address of a request, and the account it authenticates as. The first
// `callsPerKey` calls (Call-IDs) a key starts in each window are followed, and every message of a
// followed call (requests and responses, both directions) up to `maxMessagesPerCall` is kept: a
// finding on that key then has whole calls to draw as ladders, not stray messages.
//
// The hot path is two map lookups per message. Memory is bounded whatever arrives: at most
// `maxKeys` keys and `maxKeys * callsPerKey` followed calls (least recently used go first), and
// records leave at most `maxRecordsPerSecond` in event time (a token bucket), so a flood of
// spoofed sources, each one new, costs a bounded trickle of records, not one per forged address.
import { canonicalOr } from '../../core/ip-address';
import type { SipEvidence } from '../../core/records';
import { BoundedMap } from '../sip/bounded-map';
import { flowId, LIMIT } from '../sip/flow-record';
import type { SipMessage } from '../sip/sip-message';
import type { PacketMeta } from '../sip/transactions';
import { detach } from '../sip/text-scan';
import { stableId } from '../../core/ids';
import { redactSipMessage } from './redact';

export interface EvidenceOptions {
  /** calls followed per key and window. Default 5. */
  callsPerKey?: number;
  /** the sampling window: a key gets `callsPerKey` new calls per window. Default 600 s. */
  windowMs?: number;
  /** messages kept of one call. Default 20. */
  maxMessagesPerCall?: number;
  /** bytes kept of one message (the rest is cut, `truncated`). Default 4096. */
  maxMessageBytes?: number;
  /** keys remembered at once. Default 10,000. */
  maxKeys?: number;
  /** records per second of event time, all keys together; a burst of one second is allowed. Default 200. */
  maxRecordsPerSecond?: number;
  capture: SipEvidence['evidence']['capture'];
  observerId?: string;
  organizationId?: string;
}

export interface EvidenceStats {
  /** evidence records made */
  records: number;
  /** calls that started to be followed */
  calls: number;
  /** messages of followed calls not kept: the call had maxMessagesPerCall already */
  overCallLimit: number;
  /** messages not kept: over maxRecordsPerSecond */
  overRate: number;
  /** keys forgotten before their window ended (maxKeys) */
  keysEvicted: number;
}

interface KeyWindow {
  startMs: number;
  calls: number;
}

interface FollowedCall {
  keys: string[];
  messages: number;
}

const NO_KEYS: string[] = [];

export class EvidenceSampler {
  readonly stats: EvidenceStats = { records: 0, calls: 0, overCallLimit: 0, overRate: 0, keysEvicted: 0 };
  private readonly o: Required<Omit<EvidenceOptions, 'observerId' | 'organizationId'>> & Pick<EvidenceOptions, 'observerId' | 'organizationId'>;
  private readonly keys: BoundedMap<string, KeyWindow>;
  private readonly calls: BoundedMap<string, FollowedCall>;
  private tokens: number;
  private refilledMs = -Infinity;

  constructor(options: EvidenceOptions) {
    this.o = {
      callsPerKey: 5,
      windowMs: 600_000,
      maxMessagesPerCall: 20,
      maxMessageBytes: 4096,
      maxKeys: 10_000,
      maxRecordsPerSecond: 200,
      ...options,
    };
    this.keys = new BoundedMap(this.o.maxKeys, () => this.stats.keysEvicted++);
    this.calls = new BoundedMap(this.o.maxKeys * this.o.callsPerKey);
    this.tokens = this.o.maxRecordsPerSecond;
  }

  get sizes(): { keys: number; calls: number } {
    return { keys: this.keys.size, calls: this.calls.size };
  }

  /** One parsed message with its bytes: its evidence record when it is sampled. */
  offer(msg: SipMessage, raw: Buffer, meta: PacketMeta): SipEvidence | undefined {
    const callId = msg.callId;
    let call = this.calls.get(callId);
    if (!call) {
      if (msg.kind !== 'request' || msg.method === 'ACK') return undefined; // calls start with a request
      const wanting = this.wantingKeys(msg, meta);
      if (wanting.length === 0) return undefined;
      if (!this.take(meta.timeMs)) return undefined;
      for (const k of wanting) this.keys.get(k)!.calls++;
      call = { keys: wanting, messages: 0 };
      this.calls.set(detach(callId, LIMIT.callId), call);
      this.stats.calls++;
    } else {
      if (call.messages >= this.o.maxMessagesPerCall) {
        this.stats.overCallLimit++;
        return undefined;
      }
      if (!this.take(meta.timeMs)) return undefined;
    }
    call.messages++;
    this.stats.records++;
    return this.record(msg, raw, meta, call.keys);
  }

  /** The keys of a new call that still have room in their window. */
  private wantingKeys(msg: SipMessage, meta: PacketMeta): string[] {
    let out: string[] | undefined;
    const account = msg.credentials?.[0]?.username;
    for (const key of account ? [`ip:${canonicalOr(meta.src.ip)}`, `account:${account.slice(0, LIMIT.short)}`] : [`ip:${canonicalOr(meta.src.ip)}`]) {
      let w = this.keys.get(key);
      if (!w || meta.timeMs - w.startMs >= this.o.windowMs) {
        w = { startMs: meta.timeMs, calls: 0 };
        this.keys.set(detach(key), w);
      }
      this.keys.touch(key);
      if (w.calls < this.o.callsPerKey) (out ??= []).push(key);
    }
    return out ?? NO_KEYS;
  }

  /** A token of the event-time bucket (refilled continuously, at most one second's worth held). */
  private take(nowMs: number): boolean {
    const rate = this.o.maxRecordsPerSecond;
    if (nowMs > this.refilledMs) {
      this.tokens = Number.isFinite(this.refilledMs) ? Math.min(rate, this.tokens + ((nowMs - this.refilledMs) / 1000) * rate) : rate;
      this.refilledMs = nowMs;
    }
    if (this.tokens < 1) {
      this.stats.overRate++;
      return false;
    }
    this.tokens--;
    return true;
  }

  private record(msg: SipMessage, raw: Buffer, meta: PacketMeta, keys: string[]): SipEvidence {
    const { bytes, masked } = redactSipMessage(raw);
    const kept = bytes.length > this.o.maxMessageBytes ? bytes.subarray(0, this.o.maxMessageBytes) : bytes;
    const utf8 = kept.toString('utf8');
    const encoding = Buffer.byteLength(utf8) === kept.length && Buffer.from(utf8, 'utf8').equals(kept) ? 'utf8' : 'latin1';
    const client = msg.kind === 'request' ? meta.src : meta.dst;
    const callId = msg.callId.slice(0, LIMIT.callId);
    const flow = flowId({ callId, branch: (msg.via[0]?.branch ?? '').slice(0, LIMIT.short), cseq: msg.cseq.seq, method: msg.method.slice(0, LIMIT.method), src: client });
    const ev: SipEvidence = {
      '@timestamp': new Date(meta.timeMs).toISOString(),
      event: { id: stableId('evidence', flow, meta.timeMs, meta.src.ip, meta.src.port, msg.kind, msg.status ?? msg.method), kind: 'event', dataset: 'sip.evidence' },
      source: { ip: meta.src.ip, port: meta.src.port },
      destination: { ip: meta.dst.ip, port: meta.dst.port },
      network: { transport: meta.transport },
      sip: { call_id: callId, method: msg.method.slice(0, LIMIT.method), cseq: msg.cseq.seq, flow_id: flow },
      evidence: {
        keys: [...keys],
        message: encoding === 'utf8' ? utf8 : kept.toString('latin1'),
        encoding,
        length: raw.length,
        truncated: kept.length < bytes.length,
        redacted: masked,
        capture: this.o.capture,
      },
    };
    if (msg.status !== undefined) ev.sip.status = msg.status;
    if (this.o.observerId) ev.observer = { id: this.o.observerId };
    if (this.o.organizationId) ev.organization = { id: this.o.organizationId };
    return ev;
  }
}
