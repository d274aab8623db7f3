// What the NOC looks at first: traffic, findings, blocks, the busiest sources and destinations, and
// whether the pipeline keeps up.
import { DS, type DashboardSpec } from './dashboard';

export const nocOverview: DashboardSpec = {
  uid: 'callsentry-noc',
  title: 'callsentry: NOC overview',
  description: 'Traffic, findings by severity, live blocks, top sources and destinations, pipeline health.',
  rows: [
    {
      title: 'Now',
      panels: [
        { title: 'Flow records per second', description: 'Records the collector accepted, by dataset (SIP, media, malformed).', visual: 'timeseries', width: 12, unit: 'reqps', prom: [{ expr: 'sum by (dataset) (rate(callsentry_collector_records_total[$__rate_interval]))', legend: '{{dataset}}' }] },
        { title: 'Live blocks', description: 'Blocks, limits and denials the enforcer holds live.', visual: 'stat', width: 6, prom: [{ expr: 'sum(callsentry_enforcer_live_blocks)', instant: true }] },
        { title: 'Circuit breaker', description: '1: enforcement is alert-only (too many new blocks a minute).', visual: 'stat', width: 6, prom: [{ expr: 'max(callsentry_enforcer_circuit_open)', instant: true }] },
      ],
    },
    {
      title: 'Findings',
      panels: [
        { title: 'Findings by severity', description: 'Findings over time, by severity.', visual: 'timeseries', width: 12, es: [{ source: DS.findings, query: '*', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'severity', size: 4 }, { type: 'date_histogram' }] }] },
        { title: 'Top sources in findings', description: 'Keys (addresses, accounts) with the most findings.', visual: 'table', width: 12, es: [{ source: DS.findings, query: '*', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'key.value', size: 10 }] }] },
      ],
    },
    {
      title: 'Traffic',
      panels: [
        { title: 'Top sources by SIP requests', description: 'Source addresses sending the most SIP transactions.', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: '*', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'source.ip', size: 10 }] }] },
        { title: 'Top dialed destinations', description: 'Numbers dialed most (INVITE To user).', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.user', size: 10 }] }] },
        { title: 'Top dialed countries', description: 'Country of the dialled numbers (ISO 3166, read by the collector with the tenant\'s dial plan).', visual: 'piechart', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.country', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.country', size: 10 }] }] },
      ],
    },
    {
      title: 'Pipeline',
      panels: [
        { title: 'Consumer lag', description: 'Messages each stage is behind the end of its partitions.', visual: 'timeseries', width: 12, prom: [{ expr: 'max by (stage) (callsentry_consumer_lag)', legend: '{{stage}}' }] },
        { title: 'Records in per stage', description: 'Records each stage reads per second.', visual: 'timeseries', width: 12, unit: 'reqps', prom: [{ expr: 'sum by (stage) (rate(callsentry_stage_records_in_total[$__rate_interval]))', legend: '{{stage}}' }] },
      ],
    },
  ],
};
