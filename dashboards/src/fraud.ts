// Toll fraud: what the fraud detectors found, which accounts, where calls go.
import { DS, type DashboardSpec } from './dashboard';

export const fraud: DashboardSpec = {
  uid: 'callsentry-fraud',
  title: 'callsentry: Fraud',
  description: 'Fraud findings, accounts involved, dialed countries and numbers, calls per account.',
  rows: [
    {
      title: 'Findings',
      panels: [
        { title: 'Fraud findings by detector', description: 'Findings of the fraud detectors over time.', visual: 'timeseries', width: 12, es: [{ source: DS.findings, query: 'rule.category:fraud', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'rule.id', size: 10 }, { type: 'date_histogram' }] }] },
        { title: 'Accounts in fraud findings', description: 'Accounts with the most fraud findings.', visual: 'table', width: 12, es: [{ source: DS.findings, query: 'rule.category:fraud AND key.type:account', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'key.value', size: 10 }] }] },
      ],
    },
    {
      title: 'Calls',
      panels: [
        { title: 'Calls by dialed country', description: 'INVITEs to numbers in international form, by country.', visual: 'barchart', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.country', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.country', size: 15 }] }] },
        { title: 'Top dialed numbers', description: 'Numbers dialed most.', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.user', size: 15 }] }] },
        { title: 'Calls per account', description: 'INVITEs charged to each account (the proxy\'s account, else the digest user).', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.charged_account', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.charged_account', size: 15 }] }] },
      ],
    },
  ],
};
