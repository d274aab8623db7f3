// Counters of the SIP layer. Plain numbers in a plain object: cheap to bump per message, easy to
// print, and to export as metrics by whoever owns the process.
import type { Defect, ParseFailure, SipMessage } from './sip-message';

/** Distinct keys per breakdown; more (attacker-chosen methods) are folded into OTHER. */
const MAX_KEYS = 64;

export interface SipStats {
  messages: number;
  requests: number;
  responses: number;
  /** e.g. { INVITE: 12, ACK: 10 } */
  requestsByMethod: Record<string, number>;
  /** status and CSeq method, e.g. { '407 INVITE': 3 } */
  responsesByStatus: Record<string, number>;
  transactions: number;
  /** requests and final responses seen again for a known transaction */
  retransmissions: number;
  /** INVITE dialogs confirmed by a 2xx */
  dialogs: number;
  /** transactions emitted without a final response */
  timeouts: number;
  /** final responses for a request we never saw */
  orphanResponses: number;
  /** ACKs that matched an INVITE transaction */
  acksMatched: number;
  /** state pushed out by a size cap before its time: the bound works, but evidence was lost */
  evicted: { transactions: number; dialogs: number; nonces: number };
  parseErrors: Partial<Record<ParseFailure, number>>;
  defects: Partial<Record<Defect, number>>;
}

/**
 * A counter object without a prototype: keys come from the wire, and a method named "__proto__"
 * (a valid token) must stay a key, not reach Object.prototype.
 */
export function counterRecord(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

export function createSipStats(): SipStats {
  return {
    messages: 0,
    requests: 0,
    responses: 0,
    requestsByMethod: counterRecord(),
    responsesByStatus: counterRecord(),
    transactions: 0,
    retransmissions: 0,
    dialogs: 0,
    timeouts: 0,
    orphanResponses: 0,
    acksMatched: 0,
    evicted: { transactions: 0, dialogs: 0, nonces: 0 },
    parseErrors: {},
    defects: {},
  };
}

export function bump(counts: Record<string, number>, key: string): void {
  const current = counts[key];
  if (current !== undefined) counts[key] = current + 1;
  else if (Object.keys(counts).length < MAX_KEYS) counts[key] = 1;
  else counts.OTHER = (counts.OTHER ?? 0) + 1;
}

export function countMessage(stats: SipStats, msg: SipMessage): void {
  stats.messages++;
  if (msg.kind === 'request') {
    stats.requests++;
    bump(stats.requestsByMethod, msg.method);
  } else {
    stats.responses++;
    bump(stats.responsesByStatus, `${msg.status} ${msg.method}`);
  }
  for (const d of msg.defects) stats.defects[d] = (stats.defects[d] ?? 0) + 1;
}

export function countParseFailure(stats: SipStats, reason: ParseFailure): void {
  stats.parseErrors[reason] = (stats.parseErrors[reason] ?? 0) + 1;
}
