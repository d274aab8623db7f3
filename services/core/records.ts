// Records of schema version 1. Field names follow Elastic Common Schema where ECS has a field;
// SIP-specific fields live under `sip`, media under `media`. The JSON Schemas in ./schemas/
// describe the same shapes and are checked against these types by records.test.ts.

export const SCHEMA_VERSION = 1;

export type IsoTime = string;
export type Transport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss' | 'sctp';

export interface Endpoint {
  ip: string;
  port?: number;
}

/** Summary of an SDP offer or answer: enough to judge media encryption. */
export interface SdpSummary {
  /** One entry per m= line. */
  media: Array<{
    type: string; // audio, video, application ...
    port: number;
    /** RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF ... */
    protocol: string;
    /** a=crypto suites (SDES), e.g. AES_CM_128_HMAC_SHA1_80 */
    crypto_suites?: string[];
    /** a=fingerprint present (DTLS-SRTP) */
    dtls_fingerprint?: boolean;
    codecs?: string[];
  }>;
  connection_ip?: string;
}

/** One SIP transaction: a request and its final response. */
export interface SipFlow {
  '@timestamp': IsoTime;
  event: {
    id: string;
    kind: 'event';
    dataset: 'sip.flow';
    /** request to final response, nanoseconds (ECS event.duration) */
    duration?: number;
  };
  source: Endpoint;
  destination: Endpoint;
  network: { transport: Transport };
  tls?: { version?: string };
  user_agent?: { original: string };
  /** tenant */
  organization?: { id: string };
  /** sensor that observed the traffic */
  observer?: { id: string };
  sip: {
    call_id: string;
    method: string;
    cseq?: number;
    request_uri?: string;
    from?: { user?: string; domain?: string; display_name?: string };
    /** to.user is the dialed number for an INVITE */
    to?: {
      user?: string;
      domain?: string;
      /** the dialled number as the collector read it with the tenant's dial plan (INVITE only) */
      e164?: string;
      /** ISO 3166 alpha-2 of e164; absent for non-geographic numbers */
      country?: string;
      /** fixed_line, mobile, premium_rate, satellite, international_network ... (collector/numbers/number-type.ts) */
      number_type?: string;
      /** what was dialled before the number and stripped: `9011`, `1010333011`, `+`, `0` */
      dial_prefix?: string;
    };
    /** final response status; absent when the transaction timed out */
    status?: number;
    /** user name of an Authorization / Proxy-Authorization header, never the secret */
    auth_user?: string;
    /** tenant/account the request is charged to */
    account?: string;
    /**
     * The sender proved it receives our packets: it answered a challenge with our nonce,
     * completed the transaction or dialog, or used a connection-oriented transport.
     * Belongs to this traffic, not to the address.
     */
    source_proven?: boolean;
    refer_to?: string;
    sdp?: SdpSummary;
    /**
     * Set by the collector on requests that act on an existing call (BYE, CANCEL, and INVITE,
     * REFER, UPDATE with a To tag). known: the sensor saw the call, and the request's To tag is
     * one of its tags. from_party: the source address sent or received a tagged message of the
     * call (a phone, a proxy on the path), or sent the INVITE a CANCEL cancels.
     */
    dialog?: { known: boolean; from_party: boolean };
    /**
     * Set by the collector on an INVITE that relays a call (same Call-ID) its sender received with
     * credentials (a proxy forwarding a phone's call without the credentials it consumed): the
     * caller was challenged one hop earlier. Only INVITEs from that receiving address are marked.
     */
    upstream_auth?: boolean;
  };
}

/** RTP/SRTP stream or relay allocation. */
export interface MediaFlow {
  '@timestamp': IsoTime;
  event: { id: string; kind: 'event'; dataset: 'media.flow'; duration?: number };
  source: Endpoint;
  destination: Endpoint;
  network: { transport: Transport };
  organization?: { id: string };
  observer?: { id: string };
  media: {
    call_id?: string;
    ssrc?: number;
    codec?: string;
    srtp: boolean;
    srtp_suite?: string;
    packets: number;
    bytes: number;
    lost?: number;
    jitter_ms?: number;
    duration_ms?: number;
    relay?: { user?: string; realm?: string; peers?: string[] };
  };
}

/**
 * A SIP message a sensor saw but could not parse (malformed, truncated, over a limit): an event in
 * the SIP flow stream, keyed by source like the flows, so floods of garbage are detected too.
 */
export interface MalformedSip {
  '@timestamp': IsoTime;
  event: { id: string; kind: 'event'; dataset: 'sip.malformed' };
  source: Endpoint;
  destination: Endpoint;
  network: { transport: Transport };
  organization?: { id: string };
  observer?: { id: string };
  /** the parser's reason code and what it said */
  error: { code: string; message: string };
}

export type KeyType = 'ip' | 'cidr' | 'account';

export interface Key {
  type: KeyType;
  value: string;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** aggregate-limit: one rate limit on everything unproven toward a destination (a flood from many, possibly forged, sources) */
export type Remediation = 'block-source' | 'deny-peer' | 'suspend-account' | 'rate-limit' | 'aggregate-limit' | 'alert-only';

export interface Finding {
  '@timestamp': IsoTime;
  event: { id: string; kind: 'alert'; dataset: 'callsentry.finding'; severity: number };
  rule: { id: string; name: string; description?: string; category: string };
  severity: Severity;
  key: Key;
  /** `horizon`: which of the detector's horizons fired (absent for its own window) */
  window: { start: IsoTime; end: IsoTime; seconds: number; horizon?: string };
  counts: Record<string, number>;
  /**
   * record_ids: sample records behind the finding. observed: what the detector saw, by set name
   * (the probed extensions, the prefixes tried, the numbers dialled): a bounded sample of values,
   * at most 8 sets of 20 values, so a NOC engineer reads names, not only counts.
   */
  evidence: { record_ids: string[]; observed?: Record<string, string[]> };
  labels: { behavior: string; mitre_technique?: string; [k: string]: string | undefined };
  remediation: Remediation;
  first_seen: IsoTime;
  last_seen: IsoTime;
  /** true when every record that fed the finding came from a proven source */
  source_proven?: boolean;
  /**
   * for ip keys: the address recently completed a proven, authenticated transaction (a registered
   * phone). Forgers borrow such addresses, so unproven findings against them are not blocked.
   */
  source_established?: boolean;
  organization?: { id: string };
}

/** aggregate-limit targets a protected destination (ours), every other action a source, peer or account */
export type Action = 'block' | 'unblock' | 'deny-peer' | 'suspend-account' | 'rate-limit' | 'aggregate-limit' | 'alert-only';
export type Scope = 'firewall' | 'relay' | 'proxy';

export interface Decision {
  '@timestamp': IsoTime;
  event: { id: string; kind: 'event'; dataset: 'callsentry.decision' };
  /** idempotency key: the same finding always yields the same decision id */
  id: string;
  action: Action;
  target: Key;
  scope: Scope;
  ttl_seconds: number;
  reason: string;
  finding_ids: string[];
  origin: { type: 'detector' | 'operator'; id: string };
  mode: 'enforce' | 'dry-run';
  /**
   * a detector's decision: every record behind its finding came from a proven source. An unproven
   * block is a first ban on forgeable evidence, and draws on a budget of its own (guardrails).
   */
  source_proven?: boolean;
  /** who asked, why, and the ticket: every operator decision carries them */
  operator?: OperatorNote;
  /**
   * What the enforcer made of it: set on the copy it publishes on decisions.outcomes.v1, never on
   * decisions.v1. The decision's own fields stay as requested (action, ttl_seconds); the outcome
   * says what was actually applied.
   */
  outcome?: DecisionOutcome;
}

/** The enforcer's result for one decision, in one word: dry-run deployments apply to the dry-run twins (mode says so). */
export type OutcomeResult = 'applied' | 'renewed' | 'removed' | 'refused' | 'alert-only' | 'failed' | 'noop';

export interface DecisionOutcome {
  result: OutcomeResult;
  /** when the enforcer decided (wall clock of the enforcer; the decision's @timestamp is event time) */
  at: IsoTime;
  /** the guardrail that refused it, held it alert-only, or changed it (unproven-ban-budget, repeat-offender) */
  guardrail?: string;
  /** why: the guardrail's reason, the note of a change, or why nothing changed */
  reason?: string;
  /** the action applied when a guardrail changed it (a block turned rate-limit by the unproven-ban budget) */
  action_applied?: Action;
  /** the time actually applied: grown for a repeat offender, the whole time left for a renewal; absent when nothing was applied */
  ttl_applied_seconds?: number;
  expires_at?: IsoTime;
  /** which offense of a repeat offender this was (2 = the second block within the memory) */
  offense?: number;
  /** each enforcement point's answer */
  details?: string[];
  enforcer?: string;
}

export interface OperatorNote {
  who: string;
  why: string;
  ticket: string;
}

/**
 * An address range operators exempt from every block, on the compacted topic allowlist.v1 keyed by
 * the range: the latest record per range wins, so removal is a record with `removed` (who removed
 * it, and why, stays on the record). Configured allowlists need no record.
 */
export interface AllowlistEntry {
  '@timestamp': IsoTime;
  cidr: string;
  operator: OperatorNote;
  /** absent: until removed */
  expires_at?: IsoTime;
  removed?: boolean;
}

export type Actor = 'detector' | 'decider' | 'enforcer' | 'operator' | 'system';

/**
 * What every stage and the operator API write to audit.v1: one decision outcome, one guardrail
 * verdict, one operator change. The audit service chains them into AuditEntry records.
 */
export interface AuditEvent {
  '@timestamp': IsoTime;
  /** stable: the same outcome re-delivered has the same id, so the chain records it once */
  id: string;
  actor: { type: Actor; id: string };
  what: string;
  why: string;
  result: string;
  /** the result in one word, for counting: applied, renewed, removed, refused, alert-only, failed, noop, requested */
  outcome?: string;
  ref?: { kind: string; id: string };
  ticket?: string;
}

/**
 * One link of the audit trail (services/audit): a finding, a decision or an audit event, numbered
 * and hash-chained by the single chain writer. `hash` is SHA-256 over the canonical JSON (sorted
 * keys) of every other field, `hash_prev` included; the first entry's hash_prev is 64 zeros.
 */
export interface AuditEntry {
  /** gap-free, from 0 */
  sequence: number;
  /** event time of the record the entry is about */
  '@timestamp': IsoTime;
  /** when the chain writer appended it; never goes backwards along the chain, so exports select periods by it */
  recorded_at: IsoTime;
  /** `finding:<id>`, `decision:<id>` or `audit:<id>`: a re-delivered record is chained once */
  source_id: string;
  actor: { type: Actor; id: string };
  what: string;
  why: string;
  result: string;
  /** the result in one word, when the event gave one (applied, refused, requested ...) */
  outcome?: string;
  ref?: { kind: string; id: string };
  ticket?: string;
  hash_prev: string;
  hash: string;
}
