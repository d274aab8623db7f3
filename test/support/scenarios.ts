// The 100,000-record scenario of the Kafka integration suite and the benchmarks, with its ground truth.
import { generate, type Scenario } from '../../services/collector/synthetic';
import type { Finding, SipFlow } from '../../services/core/records';
import { DetectorEngine } from '../../services/detectors/engine';
import { activeDetectors } from '../../services/detectors/registry';
import { runsOn } from '../../services/detectors/detect-stage';
import { partitionFor } from '../../services/adapters/memory-bus/partition';
import { partitionNetwork } from '../../services/core/source-network';

export const HUNDRED_K: Scenario = {
  startMs: Date.parse('2026-02-10T09:00:00Z'),
  seconds: 330,
  phones: 2000,
  callsPerMinute: 8,
  seed: 2026,
  attackers: [
    { ip: '203.0.113.1', method: 'INVITE', ratePerSecond: 200, startSecond: 30, durationSeconds: 10 },
    { ip: '203.0.113.2', method: 'REGISTER', ratePerSecond: 150, startSecond: 90, durationSeconds: 10 },
    { ip: '203.0.113.3', method: 'OPTIONS', ratePerSecond: 120, startSecond: 150, durationSeconds: 15 },
    // a slow prober that stays under every threshold: must not be flagged
    { ip: '203.0.113.4', method: 'INVITE', ratePerSecond: 9, startSecond: 100, durationSeconds: 60 },
    // a flood that comes back after its suppression ended: two findings
    { ip: '203.0.113.5', method: 'INVITE', ratePerSecond: 150, startSecond: 200, durationSeconds: 5 },
    { ip: '203.0.113.5', method: 'INVITE', ratePerSecond: 150, startSecond: 280, durationSeconds: 5 },
  ],
};

/** Ground truth: which sources must be flagged, and how many times. */
// each flood, plus the INVITE flooders' distinct numbers (sip/invite-scan) and the REGISTER flooder's
// many refused accounts (sip/campaign)
export const HUNDRED_K_FLAGGED: Record<string, number> = { '203.0.113.1': 2, '203.0.113.2': 2, '203.0.113.3': 1, '203.0.113.5': 3 };

export function hundredK(): SipFlow[] {
  return generate(HUNDRED_K).slice(0, 100_000);
}

/**
 * The findings the source-keyed detect stage must give: one engine per partition of flows.sip.v1
 * (the records of each source, in order), as the stage keeps them. Partition-local aggregates
 * (sip/distributed-flood) make one engine over all records a different answer.
 */
export function referenceFindings(records: SipFlow[], partitions = 4): Finding[] {
  const detectors = activeDetectors().filter((a) => runsOn('source', a.detector));
  const engines = Array.from({ length: partitions }, () => new DetectorEngine(detectors));
  // the collector keys flows.sip.v1 by the source's /24 (/48): a network's records meet on one partition
  return records.flatMap((r) => engines[partitionFor(partitionNetwork(r.source.ip), partitions)].process(r));
}
