// Decisions and guardrail settings for the enforcer's unit tests.
import type { Decision } from '../core/records';
import type { GuardrailSettings } from './guardrails';

export const GUARDRAILS: GuardrailSettings = {
  allowlist: [],
  max_new_blocks_per_minute: 100,
  max_unproven_bans_per_minute: 20,
  breaker_cooldown_seconds: 300,
  max_live_blocks: 10_000,
  repeat_offender: { factor: 2, max_ttl_seconds: 3600, memory_seconds: 86_400 },
};

export function decision(id: string, action: Decision['action'], scope: Decision['scope'], target: string, over: Partial<Decision> = {}): Decision {
  return {
    '@timestamp': '2026-01-01T00:00:00Z',
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action,
    target: { type: target.includes('/') ? 'cidr' : /^[0-9a-f.:]+$/i.test(target) ? 'ip' : 'account', value: target },
    scope,
    ttl_seconds: 60,
    reason: 'r',
    finding_ids: [],
    origin: { type: 'detector', id: 'x' },
    mode: 'enforce',
    ...over,
  };
}
