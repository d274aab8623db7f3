// collector.evidence (configuration) as the sampler's options; undefined when evidence is off.
import type { EvidenceSettings } from '../../core/config';
import type { EvidenceOptions } from './sampler';

export function evidenceOptions(s: EvidenceSettings): Omit<EvidenceOptions, 'capture' | 'observerId' | 'organizationId'> | undefined {
  if (!s.enabled) return undefined;
  return {
    callsPerKey: s.calls_per_key,
    windowMs: s.window_seconds * 1000,
    maxMessagesPerCall: s.max_messages_per_call,
    maxMessageBytes: s.max_message_bytes,
    maxKeys: s.max_keys,
    maxRecordsPerSecond: s.max_records_per_second,
  };
}
