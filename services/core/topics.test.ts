import { Topics } from './topics';

describe('Topics', () => {
  it('namespaces consumer groups as well as topics, so deployments sharing a cluster never share a group', () => {
    expect(new Topics('prod.').name('flows.sip.v1')).toBe('prod.flows.sip.v1');
    expect(new Topics('prod.').dlq('flows.sip.v1')).toBe('prod.flows.sip.v1.dlq');
    expect(new Topics('prod.').group('detect-source')).toBe('prod.callsentry-detect-source');
    expect(new Topics().group('enforce')).toBe('callsentry-enforce');
  });
});
