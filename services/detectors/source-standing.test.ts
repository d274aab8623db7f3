import type { SipFlow } from '../core/records';
import { SourceStanding } from './source-standing';

const flow = (ip: string, sip: Partial<SipFlow['sip']>): SipFlow =>
  ({ source: { ip }, sip: { call_id: 'c', method: 'REGISTER', ...sip } }) as SipFlow;

describe('SourceStanding', () => {
  it('establishes an address by a proven, authenticated success, never by an unproven or refused one', () => {
    const s = new SourceStanding({ memoryMs: 60_000 });
    s.observe(flow('192.0.2.1', { status: 200, auth_user: '101', source_proven: true }), 1000);
    s.observe(flow('192.0.2.2', { status: 200, auth_user: '102', source_proven: false }), 1000); // forged or unproven
    s.observe(flow('192.0.2.3', { status: 401, auth_user: '103', source_proven: true }), 1000); // wrong password
    expect(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => s.established(ip, 2000))).toEqual([true, false, false]);
    expect(s.established('192.0.2.1', 62_000)).toBe(false);
  });

  it('establishes a peer by proven dialogs and answered transactions, with or without a digest user', () => {
    const s = new SourceStanding({ memoryMs: 60_000 });
    // a carrier: its INVITE answered 200 and proven by the ACK that echoed our tag; no digest user
    s.observe(flow('198.18.0.20', { method: 'INVITE', status: 200, source_proven: true }), 1000);
    // another trusted peer over TCP: an answered OPTIONS keep-alive
    s.observe(flow('2001:db8::20', { method: 'OPTIONS', status: 200, source_proven: true }), 1000);
    // the ACK of a 2xx has no response of its own: proven, it shows a confirmed dialog
    s.observe(flow('198.18.0.21', { method: 'ACK', source_proven: true }), 1000);
    // not established: forged (unproven) answered INVITEs, an unanswered or refused proven request
    s.observe(flow('198.18.0.22', { method: 'INVITE', status: 200, source_proven: false }), 1000);
    s.observe(flow('198.18.0.23', { method: 'INVITE', source_proven: true }), 1000);
    s.observe(flow('198.18.0.24', { method: 'INVITE', status: 483, source_proven: true }), 1000);
    s.observe(flow('198.18.0.25', { method: 'ACK', source_proven: false }), 1000);
    const ips = ['198.18.0.20', '2001:db8::20', '198.18.0.21', '198.18.0.22', '198.18.0.23', '198.18.0.24', '198.18.0.25'];
    expect(ips.map((ip) => s.established(ip, 2000))).toEqual([true, true, true, false, false, false, false]);
  });

  it('compares addresses canonically', () => {
    const s = new SourceStanding();
    s.observe(flow('2001:db8::101', { status: 200, auth_user: '101', source_proven: true }), 1000);
    expect(s.established('2001:DB8:0:0:0:0:0:101', 2000)).toBe(true);
    expect(s.established('::ffff:198.18.0.9', 2000)).toBe(false);
    s.observe(flow('::FFFF:198.18.0.9', { status: 200, auth_user: '109', source_proven: true }), 1000);
    expect(s.established('198.18.0.9', 2000)).toBe(true);
  });

  it('holds a bounded number of addresses', () => {
    const s = new SourceStanding({ maxAddresses: 10 });
    for (let i = 0; i < 50; i++) s.observe(flow(`10.0.0.${i}`, { status: 200, auth_user: 'u', source_proven: true }), i);
    expect(s.established('10.0.0.49', 50)).toBe(true);
    expect(s.established('10.0.0.0', 50)).toBe(false);
  });
});
