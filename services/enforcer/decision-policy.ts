// Findings become decisions by policy (configuration), never inside a detector: the remediation a
// detector proposes maps to an action on an enforcement point, with a ttl and a mode.
import { stableId } from '../core/ids';
import type { Action, Decision, Finding, Scope } from '../core/records';
import type { CallsentryConfig } from '../core/config';
import type { PlatformAddresses } from './platform-addresses';

const ACTIONS: Record<Finding['remediation'], { action: Action; scope: Scope }> = {
  'block-source': { action: 'block', scope: 'firewall' },
  'deny-peer': { action: 'deny-peer', scope: 'relay' },
  'suspend-account': { action: 'suspend-account', scope: 'proxy' },
  'rate-limit': { action: 'rate-limit', scope: 'firewall' },
  'aggregate-limit': { action: 'aggregate-limit', scope: 'firewall' },
  'alert-only': { action: 'alert-only', scope: 'firewall' },
};

/**
 * `platform`: the platform's own addresses. A finding against one is only an alert (the enforcer
 * would refuse the block anyway, by its platform-address guardrail); said here, the decision
 * printed and indexed is the one that happens.
 */
export function decide(finding: Finding, policy: CallsentryConfig['decisions'], platform?: PlatformAddresses): Decision {
  // an aggregate limit and a denied relay peer protect a destination of ours: they stay
  const protects = ['aggregate-limit', 'deny-peer'].includes(ACTIONS[finding.remediation].action);
  const own = protects ? undefined : platform?.match(finding.key);
  const { action, scope, ttl, why } = own
    ? { action: 'alert-only' as const, scope: ACTIONS[finding.remediation].scope, ttl: 0, why: `the platform's own address ${own.address}, never blocked: ${own.why}` }
    : choose(finding, policy);
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
    reason: `${finding.rule.id}: ${finding.rule.description ?? finding.rule.name}${why ? ` (${why})` : ''}`,
    finding_ids: [finding.event.id],
    origin: { type: 'detector', id: finding.rule.id },
    mode: policy.mode,
    source_proven: finding.source_proven === true,
  };
}

/**
 * Spoof resistance: forged UDP sources are how an attacker gets a victim blocked. Blocking an
 * address needs proof that the offending packets came from it; without proof, an address with an
 * established presence (a registered phone) is only rate-limited, and an unknown one gets a short
 * first ban on the strength of its own traffic. An account is suspended only on proven evidence.
 */
function choose(f: Finding, policy: CallsentryConfig['decisions']): { action: Action; scope: Scope; ttl: number; why?: string } {
  const { action, scope } = ACTIONS[f.remediation];
  if (action === 'rate-limit' || action === 'aggregate-limit') return { action, scope, ttl: policy.rate_limit_ttl_seconds };
  if (action === 'alert-only') return { action, scope, ttl: 0 };
  // an account is named by the request: only a sender who proved its address stands behind the name
  if (action === 'suspend-account' && !f.source_proven) {
    return { action: 'alert-only', scope, ttl: 0, why: 'evidence from unproven senders, who can write any account name: alerted, not suspended' };
  }
  // a network holds addresses that took no part, and forged sources in one /24 cost nothing to pick:
  // a network is blocked only on proven evidence
  if (action === 'block' && f.key.type === 'cidr' && !f.source_proven) {
    return { action: 'rate-limit', scope, ttl: policy.rate_limit_ttl_seconds, why: 'unproven traffic spread over a network, whose other addresses forgers can borrow: rate-limited, not blocked' };
  }
  if (action !== 'block' || f.key.type !== 'ip' || f.source_proven) return { action, scope, ttl: policy.block_ttl_seconds };
  if (f.source_established) {
    return { action: 'rate-limit', scope, ttl: policy.rate_limit_ttl_seconds, why: 'unproven traffic from an established address, which forgers borrow: rate-limited, not blocked' };
  }
  return { action, scope, ttl: policy.first_ban_seconds, why: 'unproven source: short first ban' };
}
