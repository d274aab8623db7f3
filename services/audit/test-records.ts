// Records and entries for the audit service's tests: findings, decisions, enforcer outcomes and
// operator requests as the real producers write them.
import type { AuditEntry, AuditEvent, Finding } from '../core/records';
import { ManualClock } from '../core/clock';
import { silentLogger } from '../core/ports';
import { outcomeEvent } from '../enforcer/audit-events';
import { decision } from '../enforcer/test-decisions';
import { requestEvent } from '../console/operator-actions';
import { decisionDraft, eventDraft, findingDraft } from './drafts';
import type { EntryDraft } from './chain';
import { ChainWriter } from './chain-writer';
import { MemoryAuditStore } from './store';

export const T0 = Date.parse('2026-03-01T00:00:00Z');

export function finding(id: string, rule = 'sip/request-flood', ip = '203.0.113.50', at = T0): Finding {
  const iso = new Date(at).toISOString();
  return {
    '@timestamp': iso,
    event: { id, kind: 'alert', dataset: 'callsentry.finding', severity: 73 },
    rule: { id: rule, name: rule, description: `${rule} fired`, category: 'network' },
    severity: 'high',
    key: { type: 'ip', value: ip },
    window: { start: iso, end: iso, seconds: 10 },
    counts: { INVITE: 120 },
    evidence: { record_ids: ['r1'] },
    labels: { behavior: 'sip:flood' },
    remediation: 'block-source',
    first_seen: iso,
    last_seen: iso,
  };
}

/** One of everything the summary reports on. */
export function sampleDrafts(): EntryDraft[] {
  const blocked = decision('d1', 'block', 'firewall', '203.0.113.50', { reason: 'INVITE flood', origin: { type: 'detector', id: 'sip/request-flood' } });
  const allowlisted = decision('d2', 'block', 'firewall', '192.0.2.7', { reason: 'REGISTER flood', origin: { type: 'detector', id: 'sip/request-flood' } });
  const fraud = decision('d3', 'suspend-account', 'proxy', 'acme-101', { origin: { type: 'detector', id: 'fraud/irsf' } });
  const events: AuditEvent[] = [
    outcomeEvent({ decision: blocked, result: 'applied', details: ['nft: ok'] }, 'enforcer-1', '2026-03-01T00:00:01Z'),
    outcomeEvent({ decision: allowlisted, result: 'refused', guardrail: 'allowlist', reason: '192.0.2.7 is in allowlisted range 192.0.2.0/24' }, 'enforcer-1', '2026-03-01T00:00:02Z'),
    outcomeEvent({ decision: fraud, result: 'refused', guardrail: 'circuit-breaker', reason: 'too many new blocks' }, 'enforcer-1', '2026-03-01T00:00:03Z'),
    requestEvent('unblock ip=203.0.113.50 at firewall', { who: 'alice', why: 'customer PBX behind NAT', ticket: 'NOC-4711' }, T0 + 4000, { kind: 'decision', id: 'op1' }),
  ];
  return [
    findingDraft(finding('f1')),
    findingDraft(finding('f2', 'sip/scanner-ua')),
    findingDraft(finding('f3', 'fraud/high-cost-destination')),
    decisionDraft(blocked),
    decisionDraft(allowlisted),
    decisionDraft(fraud),
    ...events.map(eventDraft),
  ];
}

/** A chain of `n` entries in memory, one second apart from T0. */
export async function memoryChain(n: number, drafts: (i: number) => EntryDraft = (i) => findingDraft(finding(`f${i}`))): Promise<AuditEntry[]> {
  const store = new MemoryAuditStore();
  const clock = new ManualClock(T0);
  const writer = new ChainWriter({ store, clock, log: silentLogger });
  for (let i = 0; i < n; i++) {
    await writer.write([drafts(i)]);
    clock.advance(1000);
  }
  return store.all;
}
