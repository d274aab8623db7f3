// Denial of service: request rates by method, flood findings, who floods, garbage, how many sources.
import { DS, type DashboardSpec } from './dashboard';

export const dos: DashboardSpec = {
  uid: 'callsentry-dos',
  title: 'callsentry: DoS',
  description: 'SIP request rates, flood findings and flooding sources, malformed SIP, distinct sources.',
  rows: [
    {
      title: 'Load',
      panels: [
        { title: 'SIP requests by method', description: 'SIP transactions over time, by method.', visual: 'timeseries', width: 12, es: [{ source: DS.sipFlows, query: '*', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.method', size: 8 }, { type: 'date_histogram' }] }] },
        { title: 'Distinct sources', description: 'Distinct source addresses over time: a forged-source flood shows as a spike.', visual: 'timeseries', width: 12, es: [{ source: DS.sipFlows, query: '*', metric: { type: 'cardinality', field: 'source.ip' }, buckets: [{ type: 'date_histogram' }] }] },
      ],
    },
    {
      title: 'Floods',
      panels: [
        { title: 'DoS and reconnaissance findings', description: 'Findings of the DoS and reconnaissance detectors, by detector.', visual: 'timeseries', width: 12, es: [{ source: DS.findings, query: 'rule.category:(dos OR recon OR credential)', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'rule.id', size: 10 }, { type: 'date_histogram' }] }] },
        { title: 'Top flooding sources', description: 'Addresses with the most DoS, scan and brute-force findings.', visual: 'table', width: 12, es: [{ source: DS.findings, query: 'rule.category:(dos OR recon OR credential) AND key.type:ip', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'key.value', size: 10 }] }] },
        { title: 'Malformed SIP', description: 'Messages sensors could not parse, over time.', visual: 'timeseries', width: 12, es: [{ source: DS.sipFlows, query: 'event.dataset:sip.malformed', metric: { type: 'count' }, buckets: [{ type: 'date_histogram' }] }] },
        { title: 'Detector evaluation time (p99)', description: 'Time the detectors take for one batch, 99th percentile, by input topic.', visual: 'timeseries', width: 12, unit: 's', prom: [{ expr: 'histogram_quantile(0.99, sum by (le, input) (rate(callsentry_detector_evaluation_seconds_bucket[$__rate_interval])))', legend: '{{input}}' }] },
      ],
    },
  ],
};
