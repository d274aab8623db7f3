// Operator allowlist entries (allowlist.v1, compacted) into the enforcer's guardrails. Every
// enforcer instance reads the whole topic under a group of its own, so each one knows every range;
// what an entry unblocks is audited like any other outcome.
import { encode } from '../core/codec';
import { stableId } from '../core/ids';
import type { AllowlistEntry, AuditEvent } from '../core/records';
import type { StageDefinition } from '../core/stage';
import type { Topics } from '../core/topics';
import { validateAllowlistEntry } from '../core/validate';
import { outcomeEvent } from './audit-events';
import type { Enforcer } from './enforcer';

export function allowlistStage(opts: { topics: Topics; enforcer: Enforcer; groupId: string; enforcerId?: string }): StageDefinition {
  const audit = opts.topics.name('audit.v1');
  return {
    name: 'allowlist',
    groupId: opts.groupId,
    topics: [opts.topics.name('allowlist.v1')],
    async process(batch, ctx) {
      for (const m of batch.messages) {
        const entry = ctx.decode<AllowlistEntry>(m);
        if (!entry) continue;
        if (!validateAllowlistEntry(entry)) {
          ctx.deadLetter(m, 'BAD_RECORD', validateAllowlistEntry.lastError());
          continue;
        }
        let outcomes;
        try {
          outcomes = await opts.enforcer.allowlist(entry, (target, scope) => stableId('unblock', 'allowlist', entry.cidr, entry['@timestamp'], scope, target.value));
        } catch (err) {
          ctx.deadLetter(m, 'BAD_RECORD', (err as Error).message);
          continue;
        }
        for (const o of outcomes) ctx.emit(audit, encode(o.decision.target.value, outcomeEvent(o, opts.enforcerId ?? 'enforcer', entry['@timestamp'])));
        ctx.emit(audit, encode(entry.cidr, entryEvent(entry, outcomes.length, opts.enforcerId ?? 'enforcer')));
      }
    },
  };
}

/** The enforcer's result of an operator's allowlist change: in force (with what it lifted), or removed. */
function entryEvent(entry: AllowlistEntry, lifted: number, enforcerId: string): AuditEvent {
  const verb = entry.removed ? 'removed' : 'applied';
  return {
    '@timestamp': entry['@timestamp'],
    // one id for every instance and restart (the topic is re-read whole): chained once
    id: stableId('audit', 'allowlist', entry.cidr, entry['@timestamp'], verb),
    actor: { type: 'enforcer', id: enforcerId },
    // the form of every enforcer `what` (audit-events.ts describe()), so the audit summary counts it as an action
    what: `${entry.removed ? 'allowlist-remove' : 'allowlist-add'} cidr=${entry.cidr} at all-scopes`,
    why: `operator ${entry.operator.who}: ${entry.operator.why}`,
    result: entry.removed ? 'removed: no longer exempt' : `applied: in force${entry.expires_at ? ` until ${entry.expires_at}` : ''}, ${lifted} live block(s) inside lifted`,
    outcome: verb,
    ref: { kind: 'allowlist', id: entry.cidr },
    ticket: entry.operator.ticket,
  };
}
