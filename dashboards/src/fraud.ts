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
        { title: 'Calls by dialed country', description: 'INVITEs by the country of the dialled number (ISO 3166, read by the collector with the tenant\'s dial plan).', visual: 'barchart', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.country', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.country', size: 15 }] }] },
        { title: 'Top dialed numbers', description: 'E.164 numbers dialed most, whatever prefix they were dialled with.', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.e164', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.e164', size: 15 }] }] },
        { title: 'Calls per account', description: 'INVITEs charged to each account (the proxy\'s account, else the digest user).', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.charged_account', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.charged_account', size: 15 }] }] },
      ],
    },
    {
      title: 'Destinations',
      panels: [
        { title: 'Calls by number type', description: 'INVITEs by the kind of number dialled: premium rate, satellite and international networks are where toll fraud goes.', visual: 'piechart', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.number_type', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.number_type', size: 15 }] }] },
        { title: 'Premium, satellite and international-network calls', description: 'INVITEs to premium-rate, shared-cost, satellite and international-network numbers over time, by type.', visual: 'timeseries', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND sip.to.number_type:(premium_rate OR shared_cost OR satellite OR international_network)', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.number_type', size: 5 }, { type: 'date_histogram' }] }] },
        { title: 'Dial prefixes', description: 'What was dialled before the numbers (outside line, carrier code, international prefix): many prefixes before one number is dial-plan probing.', visual: 'table', width: 8, es: [{ source: DS.sipFlows, query: 'sip.method:INVITE AND _exists_:sip.to.dial_prefix', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'sip.to.dial_prefix', size: 15 }] }] },
      ],
    },
  ],
};
