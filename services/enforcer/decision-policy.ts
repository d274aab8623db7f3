// Findings become decisions by policy (configuration), never inside a detector: the remediation a
// detector proposes maps to an action on an enforcement point, with a ttl and a mode.
import { stableId } from '../core/ids';
import type { Action, Decision, Finding, Scope } from '../core/records';
import type { CallsentryConfig } from '../core/config';

const ACTIONS: Record<Finding['remediation'], { action: Action; scope: Scope }> = {
  'block-source': { action: 'block', scope: 'firewall' },
  'deny-peer': { action: 'deny-peer', scope: 'relay' },
  'suspend-account': { action: 'suspend-account', scope: 'proxy' },
  'rate-limit': { action: 'rate-limit', scope: 'firewall' },
  'alert-only': { action: 'alert-only', scope: 'firewall' },
};

export function decide(finding: Finding, policy: CallsentryConfig['decisions']): Decision {
  const { action, scope } = ACTIONS[finding.remediation];
  const ttl = action === 'rate-limit' ? policy.rate_limit_ttl_seconds : action === 'alert-only' ? 0 : policy.block_ttl_seconds;
  // the same finding always yields the same decision id: replays and re-deliveries are idempotent
  const id = stableId('decision', finding.event.id);
  return {
    '@timestamp': finding['@timestamp'],
    event: { id, kind: 'event', dataset: 'callsentry.decision' },
    id,
    action,
    target: finding.key,
    scope,
    ttl_seconds: ttl,
    reason: `${finding.rule.id}: ${finding.rule.description ?? finding.rule.name}`,
    finding_ids: [finding.event.id],
    origin: { type: 'detector', id: finding.rule.id },
    mode: policy.mode,
  };
}
