// Policy compliance per tenant: how much signalling runs on TLS and how much media on SRTP, and the
// policy findings.
import { DS, type DashboardSpec } from './dashboard';

export const policy: DashboardSpec = {
  uid: 'callsentry-policy',
  title: 'callsentry: Policy compliance',
  description: 'Share of signalling on TLS and of media on SRTP per tenant; policy findings.',
  variables: [{ name: 'tenant', label: 'Tenant', source: DS.sipFlows, field: 'organization.id' }],
  rows: [
    {
      title: 'Encryption per tenant',
      panels: [
        { title: 'Signalling transport per tenant', description: 'Share of SIP transactions per transport (tls and wss are encrypted), per tenant.', visual: 'barchart', width: 12, percent: true, es: [{ source: DS.sipFlows, query: 'organization.id:$tenant', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'organization.id', size: 20 }, { type: 'terms', field: 'network.transport', size: 6 }] }] },
        { title: 'Media on SRTP per tenant', description: 'Share of media flows with SRTP (true) and without (false), per tenant.', visual: 'barchart', width: 12, percent: true, es: [{ source: DS.mediaFlows, query: 'organization.id:$tenant', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'organization.id', size: 20 }, { type: 'terms', field: 'media.srtp', size: 2 }] }] },
      ],
    },
    {
      title: 'Breaches',
      panels: [
        { title: 'Policy findings by detector', description: 'Unencrypted signalling or media, weak crypto, untrusted trunks, transfers, room joins.', visual: 'timeseries', width: 12, es: [{ source: DS.findings, query: 'rule.category:policy', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'rule.id', size: 10 }, { type: 'date_histogram' }] }] },
        { title: 'Unencrypted signalling by source', description: 'Sources of SIP over UDP or TCP.', visual: 'table', width: 12, es: [{ source: DS.sipFlows, query: 'organization.id:$tenant AND network.transport:(udp OR tcp)', metric: { type: 'count' }, buckets: [{ type: 'terms', field: 'source.ip', size: 10 }] }] },
      ],
    },
  ],
};
