// Explicit mappings, one per index kind, with the records' own (ECS-aligned) field names. Unknown
// fields are refused (`dynamic: strict`), so a record that outgrew its mapping is dead-lettered
// with the reason instead of being indexed with guessed types; mappings.test.ts checks that every
// field of every JSON Schema has a mapping here. Only field types of the server itself are used:
// the integ-test distribution lacks mapper-extras, wildcard and constant_keyword.
import type { IndexKind } from '../../core/ports';

type Mapping = Record<string, unknown>;

const keyword: Mapping = { type: 'keyword', ignore_above: 1024 };
/** Free text: exact value for aggregations, analysed text for search. */
const text: Mapping = { type: 'keyword', ignore_above: 2048, fields: { text: { type: 'text' } } };
const long: Mapping = { type: 'long' };
const double: Mapping = { type: 'double' };
const bool: Mapping = { type: 'boolean' };
const date: Mapping = { type: 'date' };
const ip: Mapping = { type: 'ip' };
const obj = (properties: Record<string, Mapping>): Mapping => ({ properties });

const endpoint = obj({ ip, port: long });
const key = obj({ type: keyword, value: keyword });
const org = obj({ id: keyword });

const flowCommon = {
  '@timestamp': date,
  source: endpoint,
  destination: endpoint,
  network: obj({ transport: keyword }),
  organization: org,
  observer: org,
};

const sipFlow: Record<string, Mapping> = {
  ...flowCommon,
  event: obj({ id: keyword, kind: keyword, dataset: keyword, duration: long }),
  tls: obj({ version: keyword }),
  user_agent: obj({ original: text }),
  sip: obj({
    call_id: keyword,
    method: keyword,
    cseq: long,
    request_uri: keyword,
    from: obj({ user: keyword, domain: keyword, display_name: keyword }),
    to: obj({ user: keyword, domain: keyword, e164: keyword, country: keyword, number_type: keyword, dial_prefix: keyword }),
    status: long,
    auth_user: keyword,
    account: keyword,
    charged_account: keyword,
    source_proven: bool,
    refer_to: keyword,
    dialog: obj({ known: bool, from_party: bool }),
    upstream_auth: bool,
    sdp: obj({
      // an SDP c= line may name a host, not only an address
      connection_ip: keyword,
      media: obj({ type: keyword, port: long, protocol: keyword, crypto_suites: keyword, dtls_fingerprint: bool, codecs: keyword }),
    }),
  }),
  // sip.malformed events share the SIP flow topic and index
  error: obj({ code: keyword, message: text }),
};

const mediaFlow: Record<string, Mapping> = {
  ...flowCommon,
  event: obj({ id: keyword, kind: keyword, dataset: keyword, duration: long }),
  media: obj({
    call_id: keyword,
    ssrc: long,
    codec: keyword,
    srtp: bool,
    srtp_suite: keyword,
    packets: long,
    bytes: long,
    lost: long,
    jitter_ms: double,
    duration_ms: double,
    // peers are "address:port" strings
    relay: obj({ user: keyword, realm: keyword, peers: keyword }),
  }),
};

const finding: Record<string, Mapping> = {
  '@timestamp': date,
  event: obj({ id: keyword, kind: keyword, dataset: keyword, severity: long }),
  rule: obj({ id: keyword, name: keyword, description: text, category: keyword }),
  severity: keyword,
  key,
  window: obj({ start: date, end: date, seconds: double, horizon: keyword }),
  // open maps: detectors name their own counters and labels (dynamic templates type them)
  counts: { type: 'object', dynamic: true },
  evidence: obj({ record_ids: keyword, observed: { type: 'flattened' } }),
  labels: { type: 'object', dynamic: true, properties: { behavior: keyword, mitre_technique: keyword } },
  remediation: keyword,
  first_seen: date,
  last_seen: date,
  source_proven: bool,
  source_established: bool,
  organization: org,
};

const decision: Record<string, Mapping> = {
  '@timestamp': date,
  event: obj({ id: keyword, kind: keyword, dataset: keyword }),
  id: keyword,
  action: keyword,
  target: key,
  scope: keyword,
  ttl_seconds: long,
  reason: text,
  finding_ids: keyword,
  origin: obj({ type: keyword, id: keyword }),
  mode: keyword,
  source_proven: bool,
  operator: obj({ who: keyword, why: text, ticket: keyword }),
  outcome: obj({ result: keyword, at: date, guardrail: keyword, reason: text, action_applied: keyword, ttl_applied_seconds: long, expires_at: date, offense: long, details: text, enforcer: keyword }),
};

// the chained entries of audit.log.v1 (services/audit)
const audit: Record<string, Mapping> = {
  sequence: long,
  '@timestamp': date,
  recorded_at: date,
  source_id: keyword,
  actor: obj({ type: keyword, id: keyword }),
  what: text,
  why: text,
  result: text,
  outcome: keyword,
  ref: obj({ kind: keyword, id: keyword }),
  ticket: keyword,
  hash_prev: keyword,
  hash: keyword,
};

const PROPERTIES: Record<IndexKind, Record<string, Mapping>> = {
  'flows-sip': sipFlow,
  'flows-media': mediaFlow,
  findings: finding,
  decisions: decision,
  audit,
};

export function mappingFor(kind: IndexKind): Mapping {
  return {
    dynamic: 'strict',
    date_detection: false,
    dynamic_templates: [
      { counts_are_numbers: { path_match: 'counts.*', mapping: { type: 'double' } } },
      { labels_are_keywords: { path_match: 'labels.*', mapping: { type: 'keyword', ignore_above: 1024 } } },
    ],
    properties: PROPERTIES[kind],
  };
}
