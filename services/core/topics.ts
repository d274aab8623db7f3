// Topic names are versioned and live under a configurable prefix ("" by default).

export const TOPIC = {
  sipFlows: 'flows.sip.v1',
  sipFlowsByAccount: 'flows.sip.by-account.v1',
  /** unproven SIP requests keyed by destination address: destination-keyed aggregates (docs/state.md) */
  sipFlowsByDestination: 'flows.sip.by-destination.v1',
  mediaFlows: 'flows.media.v1',
  findings: 'findings.v1',
  decisions: 'decisions.v1',
  /** each decision once the enforcer is done with it, with its outcome (Decision.outcome), keyed by target */
  decisionOutcomes: 'decisions.outcomes.v1',
  audit: 'audit.v1',
  /** the hash-chained audit entries, in sequence order: one partition, keyed by sequence */
  auditLog: 'audit.log.v1',
  /** operator allowlist, compacted: every enforcer instance reads all of it */
  allowlist: 'allowlist.v1',
  /** detect stages' snapshots of their engines, compacted, keyed by input partition */
  stateDetectSource: 'state.detect-source.v1',
  stateDetectAccount: 'state.detect-account.v1',
  stateDetectMedia: 'state.detect-media.v1',
  /** sample SIP messages (redacted) behind findings: ladders and pcap export (services/collector/evidence) */
  sipEvidence: 'evidence.sip.v1',
  /** incidents, compacted, keyed by incident id: the latest version of each */
  incidents: 'incidents.v1',
  /** operator changes to incidents (ack, resolve, assign, note), keyed by incident id */
  incidentActions: 'incidents.actions.v1',
  stateDetectDestination: 'state.detect-destination.v1',
} as const;

/** Topics that hold state, not records: compacted, and without a dead-letter topic. */
export const STATE_TOPICS: readonly TopicName[] = [TOPIC.stateDetectSource, TOPIC.stateDetectAccount, TOPIC.stateDetectMedia, TOPIC.stateDetectDestination];

export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];

export const DLQ_SUFFIX = '.dlq';

export class Topics {
  constructor(private readonly prefix = '') {}
  name(topic: TopicName): string {
    return this.prefix + topic;
  }
  /**
   * A consumer group id under the same prefix: deployments (or test runs) that share a Kafka
   * cluster with different prefixes must not share consumer groups either.
   */
  group(name: string): string {
    return `${this.prefix}callsentry-${name}`;
  }
  dlq(topic: TopicName): string {
    return this.prefix + topic + DLQ_SUFFIX;
  }
  all(): string[] {
    return Object.values(TOPIC).flatMap((t) => (STATE_TOPICS.includes(t) ? [this.name(t)] : [this.name(t), this.dlq(t)]));
  }
}

/** Headers every message carries. */
export const HEADER = {
  schemaVersion: 'callsentry-schema',
  sensor: 'callsentry-sensor',
  tenant: 'callsentry-tenant',
  dlqReason: 'callsentry-dlq-reason',
  dlqDetail: 'callsentry-dlq-detail',
} as const;
