// Enforcement: what was decided, what the guardrails refused, what was applied and what operators did.
import { DS, type DashboardSpec } from './dashboard';

export const enforcement: DashboardSpec = {
  uid: 'callsentry-enforcement',
  title: 'callsentry: Enforcement',
  description: 'Decisions, guardrail refusals, actuator results, expiries and operator actions.',
  rows: [
    {
      title: 'Decisions',
      panels: [
        { title: 'Decisions by action', description: 'Decisions over time, by action (block, rate-limit, aggregate-limit, deny-peer ...).', visual: 'timeseries', width: 12, es: [{ source: DS.decisions, query: '*', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'action', size: 8 }, { type: 'date_histogram' }] }] },
        { title: 'Decisions applied per second', description: 'Decisions applied by each enforcement point, by action.', visual: 'timeseries', width: 12, unit: 'ops', prom: [{ expr: 'sum by (actuator, action) (rate(callsentry_decisions_applied_total[$__rate_interval]))', legend: '{{actuator}} {{action}}' }] },
      ],
    },
    {
      title: 'Guardrails and results',
      panels: [
        { title: 'Refused by guardrail', description: 'Decisions refused or turned alert-only, by guardrail (allowlist, max-live-blocks, circuit-breaker ...).', visual: 'timeseries', width: 12, prom: [{ expr: 'sum by (guardrail) (increase(callsentry_decisions_refused_total[$__rate_interval]))', legend: '{{guardrail}}' }] },
        { title: 'Outcomes', description: 'What became of each decision: applied, renewed, removed, refused, alert-only, failed (audit trail).', visual: 'table', width: 12, es: [{ source: DS.audit, query: 'actor.type:enforcer', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'outcome', size: 20 }] }] },
        { title: 'Expired', description: 'Blocks and limits whose time ran out, by action (the enforcement point expires them by itself).', visual: 'timeseries', width: 12, prom: [{ expr: 'sum by (action) (increase(callsentry_enforcer_expired_total[$__rate_interval]))', legend: '{{action}}' }] },
      ],
    },
    {
      title: 'Operators',
      panels: [
        { title: 'Operator actions', description: 'Unblocks, extensions and allowlist changes, by operator.', visual: 'table', width: 12, es: [{ source: DS.audit, query: 'actor.type:operator', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'actor.id', size: 20 }] }] },
        { title: 'Operator decisions by action', description: 'Operator decisions (unblock, extend) over time.', visual: 'timeseries', width: 12, es: [{ source: DS.decisions, query: 'origin.type:operator', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'action', size: 8 }, { type: 'date_histogram' }] }] },
      ],
    },
  ],
};
