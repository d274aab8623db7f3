import type { SipFlow } from '../core/records';
import { SourceStanding } from './source-standing';

const flow = (ip: string, sip: Partial<SipFlow['sip']>): SipFlow =>
  ({ source: { ip }, sip: { call_id: 'c', method: 'REGISTER', ...sip } }) as SipFlow;

describe('SourceStanding', () => {
  it('establishes an address only by a proven, authenticated success', () => {
    const s = new SourceStanding({ memoryMs: 60_000 });
    s.observe(flow('192.0.2.1', { status: 200, auth_user: '101', source_proven: true }), 1000);
    s.observe(flow('192.0.2.2', { status: 200, auth_user: '102', source_proven: false }), 1000); // forged or unproven
    s.observe(flow('192.0.2.3', { status: 401, auth_user: '103', source_proven: true }), 1000); // wrong password
    s.observe(flow('192.0.2.4', { status: 200, source_proven: true }), 1000); // no credentials
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'].map((ip) => s.established(ip, 2000))).toEqual([true, false, false, false]);
    expect(s.established('192.0.2.1', 62_000)).toBe(false);
  });

  it('holds a bounded number of addresses', () => {
    const s = new SourceStanding({ maxAddresses: 10 });
    for (let i = 0; i < 50; i++) s.observe(flow(`10.0.0.${i}`, { status: 200, auth_user: 'u', source_proven: true }), i);
    expect(s.established('10.0.0.49', 50)).toBe(true);
    expect(s.established('10.0.0.0', 50)).toBe(false);
  });
});
