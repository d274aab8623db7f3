// The edge of the system: raw records in, validated once, produced to the flow topics keyed by
// source address. Anything unusable goes to the dead-letter topic with a reason code and is counted;
// a bad record never stops the collector and never costs a good one.
import { chargedAccount } from '../core/accounts';
import { DEFAULT_DIAL_PLANS, type DialPlans } from '../core/dial-plan';
import { encode } from '../core/codec';
import { canonicalOr } from '../core/ip-address';
import type { ErrorCode } from '../core/errors';
import type { MetricsRegistry } from '../core/metrics';
import type { BusProducer, OutgoingMessage } from '../core/ports';
import type { MalformedSip, MediaFlow, SipEvidence, SipFlow } from '../core/records';
import { HEADER, type Topics } from '../core/topics';
import { validateMalformedSip, validateMediaFlow, validateSipEvidence, validateSipFlow } from '../core/validate';
import { NumberNormaliser } from './numbers/normalise';
import { partitionNetwork } from '../core/source-network';

/**
 * Rewrites the record's addresses to their canonical text (they passed validation, so they are
 * addresses); true when they were canonical already and the raw line may be kept as it is.
 */
function canonical(r: { source: { ip: string }; destination: { ip: string } }): boolean {
  const src = canonicalOr(r.source.ip);
  const dst = canonicalOr(r.destination.ip);
  const same = src === r.source.ip && dst === r.destination.ip;
  r.source.ip = src;
  r.destination.ip = dst;
  return same;
}

export interface IngestOptions {
  producer: BusProducer;
  topics: Topics;
  metrics: MetricsRegistry;
  sensor: string;
  tenant?: string;
  batchSize?: number;
  /** how phones dial, per tenant: every dialled number is read once, here (default: DEFAULT_DIAL_PLANS) */
  dialPlans?: DialPlans;
}

export interface IngestStats {
  accepted: number;
  sip: number;
  media: number;
  /** malformed SIP events (they also go to the dead-letter topic with the raw message) */
  malformed: number;
  /** evidence records (sample SIP messages, secrets masked) */
  evidence: number;
  rejected: Partial<Record<ErrorCode, number>>;
  /** event time of the earliest and the latest record accepted (epoch ms) */
  firstMs?: number;
  lastMs?: number;
}

export class Ingest {
  private pending = new Map<string, OutgoingMessage[]>();
  private sending: Promise<void> = Promise.resolve();
  private pendingCount = 0;
  private readonly batchSize: number;
  readonly stats: IngestStats = { accepted: 0, sip: 0, media: 0, malformed: 0, evidence: 0, rejected: {} };
  private readonly accepted;
  private readonly rejected;
  private readonly numbers: NumberNormaliser;

  constructor(private readonly opts: IngestOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.numbers = new NumberNormaliser(opts.dialPlans ?? DEFAULT_DIAL_PLANS);
    this.accepted = opts.metrics.counter('callsentry_collector_records_total', 'Records accepted by the collector, by dataset');
    this.rejected = opts.metrics.counter('callsentry_collector_rejected_total', 'Records rejected by the collector, by reason');
  }

  /** One NDJSON line. */
  async line(text: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return this.reject(text, 'BAD_JSON', (err as Error).message);
    }
    return this.record(value, text);
  }

  /** A record from any source (pcap, HEP, relay): validated here like any other. */
  async record(value: unknown, raw?: string): Promise<void> {
    const dataset = (value as { event?: { dataset?: unknown } } | null)?.event?.dataset;
    if (dataset === 'media.flow') {
      if (!validateMediaFlow(value)) return this.reject(raw ?? JSON.stringify(value), 'BAD_RECORD', validateMediaFlow.lastError());
      return this.accept(this.opts.topics.name('flows.media.v1'), value.source.ip, value, 'media', canonical(value) ? raw : undefined);
    }
    if (dataset === 'sip.malformed') {
      if (!validateMalformedSip(value)) return this.reject(raw ?? JSON.stringify(value), 'BAD_RECORD', validateMalformedSip.lastError());
      return this.accept(this.opts.topics.name('flows.sip.v1'), value.source.ip, value, 'malformed', canonical(value) ? raw : undefined);
    }
    if (dataset === 'sip.evidence') {
      // keyed by call: the messages of one call stay in order for the ladder; dead letters go with the SIP flows'
      if (!validateSipEvidence(value)) return this.reject(raw ?? JSON.stringify(value), 'BAD_RECORD', validateSipEvidence.lastError());
      canonical(value);
      return this.accept(this.opts.topics.name('evidence.sip.v1'), value.sip.call_id || value.source.ip, value, 'evidence');
    }
    if (!validateSipFlow(value)) return this.reject(raw ?? JSON.stringify(value), 'BAD_RECORD', validateSipFlow.lastError());
    // the dialled number, read with the tenant's dial plan whatever the source (fields a line
    // brought are replaced by the collector's own reading)
    const renumbered = this.numbers.apply(value, this.opts.tenant);
    // account-keyed detectors read the same flows partitioned by account (the collector is the
    // re-key stage); both messages carry the same bytes, serialized once
    const account = chargedAccount(value);
    const json = (canonical(value) && !renumbered ? raw : undefined) ?? JSON.stringify(value);
    if (account !== undefined) this.queue(this.opts.topics.name('flows.sip.by-account.v1'), this.message(account, value, json));
    // destination-keyed aggregates (a flood spread over many sources) count what no sender proved
    // it sent: only those requests are copied, keyed by the address they were sent to
    if (value.sip.source_proven !== true && value.sip.method.toUpperCase() !== 'ACK') {
      this.queue(this.opts.topics.name('flows.sip.by-destination.v1'), this.message(value.destination.ip, value, json));
    }
    // keyed by the source's /24 or /48: an address's records stay together, and so do a network's
    // (rotating sources, sip/network-attack), whatever the number of partitions
    return this.accept(this.opts.topics.name('flows.sip.v1'), partitionNetwork(value.source.ip), value, 'sip', json);
  }

  /** A line the reader refused for its size: counted and dead-lettered with its first bytes. */
  async oversized(head: string, bytes: number): Promise<void> {
    return this.reject(head, 'OVERSIZED', `line of ${bytes} bytes exceeds the limit`);
  }

  /**
   * Sends what is queued. Live sources flush from a timer while records keep arriving, so each flush
   * takes the queue as it is and flushes run one after another: nothing queued meanwhile is lost and
   * records of one key keep their order.
   */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    const previous = this.sending;
    const send = (async () => {
      await previous.catch(() => undefined);
      for (const [topic, messages] of batch) if (messages.length) await this.opts.producer.send(topic, messages);
    })();
    this.sending = send;
    await send;
  }

  private async accept(topic: string, key: string, record: SipFlow | MediaFlow | MalformedSip | SipEvidence, kind: 'sip' | 'media' | 'malformed' | 'evidence', raw?: string): Promise<void> {
    this.queue(topic, this.message(key, record, raw));
    if (kind !== 'evidence') this.stats.accepted++; // flow records accepted; evidence is a sample beside them
    this.stats[kind]++;
    const t = Date.parse(record['@timestamp']);
    if (t < (this.stats.firstMs ?? Infinity)) this.stats.firstMs = t;
    if (t > (this.stats.lastMs ?? -Infinity)) this.stats.lastMs = t;
    this.accepted.inc({ dataset: kind });
    if (this.pendingCount >= this.batchSize) await this.flush();
  }

  /**
   * Dead-letters input a source could not turn into a record (a malformed HEP packet, a bad relay
   * message), with its reason, on the dead-letter topic of the flows it would have become.
   */
  async deadLetter(raw: string, code: ErrorCode, detail: string, topic: 'flows.sip.v1' | 'flows.media.v1' = 'flows.sip.v1', key: string | null = null): Promise<void> {
    return this.reject(raw, code, detail, topic, key);
  }

  private async reject(raw: string, code: ErrorCode, detail: string, topic: 'flows.sip.v1' | 'flows.media.v1' = 'flows.sip.v1', key: string | null = null): Promise<void> {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
    this.rejected.inc({ reason: code });
    this.queue(this.opts.topics.dlq(topic), {
      key,
      value: raw.slice(0, 65536),
      headers: { [HEADER.dlqReason]: code, [HEADER.dlqDetail]: detail.slice(0, 500), [HEADER.sensor]: this.opts.sensor },
    });
    if (this.pendingCount >= this.batchSize) await this.flush();
  }

  /** `json` is the record's text when it is at hand (a validated input line): never serialized twice. */
  private message(key: string, record: SipFlow | MediaFlow | MalformedSip | SipEvidence, json?: string): OutgoingMessage {
    const tenant = record.organization?.id ?? this.opts.tenant;
    const headers: Record<string, string> = { [HEADER.sensor]: record.observer?.id ?? this.opts.sensor, ...(tenant ? { [HEADER.tenant]: tenant } : {}) };
    return encode(key, json ?? record, Date.parse(record['@timestamp']), headers);
  }

  private queue(topic: string, m: OutgoingMessage): void {
    let list = this.pending.get(topic);
    if (!list) this.pending.set(topic, (list = []));
    list.push(m);
    this.pendingCount++;
  }
}
