// sip.dialog: what the collector knew of the call an in-dialog request acts on, and whether its
// sender took part in it; sip.upstream_auth: a proxy relaying a phone's authenticated call.
import type { SipFlow } from '../../core/records';
import { validateSipFlow } from '../../core/validate';
import type { SipMessage } from './sip-message';
import { sip } from './test-support/sip-builder';
import { SipCorrelator } from './transactions';

const PHONE = '198.51.100.7';
const PROXY = '203.0.113.10';
const CALLEE = '198.51.100.9';
const CARRIER = '192.0.2.20';
const FORGER = '192.0.2.66';

function run(steps: Array<[number, string, string, SipMessage, number?]>): SipFlow[] {
  const c = new SipCorrelator();
  const flows: SipFlow[] = [];
  for (const [t, from, to, msg, port] of steps) flows.push(...c.push(msg, { timeMs: t, src: { ip: from, port: port ?? 5060 }, dst: { ip: to, port: 5060 }, transport: 'udp' }));
  flows.push(...c.flush());
  for (const f of flows) if (!validateSipFlow(f)) throw new Error(validateSipFlow.lastError());
  return flows;
}

const headers = (o: { method: string; cseq: number; branch: string; fromTag?: string; toTag?: string; callId?: string; extra?: string[] }) => [
  `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${o.branch}`,
  `From: <sip:105@pbx.example>;tag=${o.fromTag ?? 'caller'}`,
  `To: <sip:0044909876543@pbx.example>${o.toTag ? `;tag=${o.toTag}` : ''}`,
  `Call-ID: ${o.callId ?? 'call-1'}`,
  `CSeq: ${o.cseq} ${o.method}`,
  ...(o.extra ?? []),
];
const request = (method: string, o: Omit<Parameters<typeof headers>[0], 'method'>) => sip(`${method} sip:0044909876543@pbx.example SIP/2.0`, headers({ method, ...o }));
const response = (status: string, method: string, o: Omit<Parameters<typeof headers>[0], 'method'>) => sip(`SIP/2.0 ${status}`, headers({ method, ...o }));

/** phone -> proxy -> callee, answered and acknowledged on both legs */
const call = (): Array<[number, string, string, SipMessage, number?]> => [
  [0, PHONE, PROXY, request('INVITE', { cseq: 1, branch: 'z9hG4bK-a' })],
  [1, PROXY, CALLEE, request('INVITE', { cseq: 1, branch: 'z9hG4bK-b' })],
  [50, CALLEE, PROXY, response('200 OK', 'INVITE', { cseq: 1, branch: 'z9hG4bK-b', toTag: 'callee' })],
  [51, PROXY, PHONE, response('200 OK', 'INVITE', { cseq: 1, branch: 'z9hG4bK-a', toTag: 'callee' })],
  [60, PHONE, PROXY, request('ACK', { cseq: 1, branch: 'z9hG4bK-c', toTag: 'callee' })],
  [61, PROXY, CALLEE, request('ACK', { cseq: 1, branch: 'z9hG4bK-d', toTag: 'callee' })],
];
const dialogOf = (flows: SipFlow[], method: string) => flows.filter((f) => f.sip.method === method).map((f) => [f.source.ip, f.sip.dialog]);

describe('sip.dialog', () => {
  it('marks a BYE from the caller, from the proxy on the path, and from a NAT-rebound port as from a party of a known call', () => {
    const flows = run([
      ...call(),
      [9000, PHONE, PROXY, request('BYE', { cseq: 2, branch: 'z9hG4bK-e', toTag: 'callee' }), 40000],
      [9001, PROXY, CALLEE, request('BYE', { cseq: 2, branch: 'z9hG4bK-f', toTag: 'callee' })],
    ]);
    expect(dialogOf(flows, 'BYE')).toEqual([
      [PHONE, { known: true, from_party: true }],
      [PROXY, { known: true, from_party: true }],
    ]);
    // a new call carries no dialog mark
    expect(flows.find((f) => f.sip.method === 'INVITE')!.sip.dialog).toBeUndefined();
  });

  it('marks a BYE forged from a third address, with or without the right tags', () => {
    const flows = run([
      ...call(),
      [9000, FORGER, PROXY, request('BYE', { cseq: 9, branch: 'z9hG4bK-x', toTag: 'callee' })],
      [9001, FORGER, PROXY, request('BYE', { cseq: 9, branch: 'z9hG4bK-y', toTag: 'guessed' })],
      [9002, FORGER, PROXY, request('BYE', { cseq: 9, branch: 'z9hG4bK-z', toTag: 'x', callId: 'never-seen' })],
    ]);
    expect(dialogOf(flows, 'BYE')).toEqual([
      [FORGER, { known: true, from_party: false }],
      [FORGER, { known: false, from_party: false }],
      [FORGER, { known: false, from_party: false }],
    ]);
  });

  it('takes a CANCEL from the INVITE sender as a party, a CANCEL from anyone else not', () => {
    const flows = run([
      [0, PHONE, PROXY, request('INVITE', { cseq: 1, branch: 'z9hG4bK-a' })],
      [10, FORGER, PROXY, request('CANCEL', { cseq: 1, branch: 'z9hG4bK-a' })],
      [20, PHONE, PROXY, request('CANCEL', { cseq: 1, branch: 'z9hG4bK-a' })],
    ]);
    expect(dialogOf(flows, 'CANCEL')).toEqual([
      [FORGER, { known: true, from_party: false }],
      [PHONE, { known: true, from_party: true }],
    ]);
  });

  it('marks a re-INVITE and a REFER (To tag) but not an initial INVITE', () => {
    const flows = run([
      ...call(),
      [5000, PHONE, PROXY, request('INVITE', { cseq: 2, branch: 'z9hG4bK-r', toTag: 'callee' })],
      [6000, FORGER, PROXY, request('REFER', { cseq: 3, branch: 'z9hG4bK-t', toTag: 'callee', extra: ['Refer-To: <sip:0088216000001@pbx.example>'] })],
    ]);
    expect(flows.filter((f) => f.sip.dialog).map((f) => [f.sip.method, f.source.ip, f.sip.dialog])).toEqual([
      ['INVITE', PHONE, { known: true, from_party: true }],
      ['REFER', FORGER, { known: true, from_party: false }],
    ]);
  });
});

describe('sip.upstream_auth', () => {
  const withCredentials = ['Proxy-Authorization: Digest username="105", realm="pbx", nonce="n1", uri="sip:x", response="00ff"'];

  it('marks the proxy forwarding a call it received with credentials, and nobody else', () => {
    const flows = run([
      [0, PHONE, PROXY, request('INVITE', { cseq: 2, branch: 'z9hG4bK-a', extra: withCredentials })],
      [1, PROXY, CARRIER, request('INVITE', { cseq: 2, branch: 'z9hG4bK-b' })],
      // the same Call-ID from another address, without credentials: not a relay of it
      [2, FORGER, CARRIER, request('INVITE', { cseq: 2, branch: 'z9hG4bK-c' })],
    ]);
    expect(flows.filter((f) => f.sip.method === 'INVITE').map((f) => [f.source.ip, f.sip.upstream_auth])).toEqual([
      [PHONE, undefined],
      [PROXY, true],
      [FORGER, undefined],
    ]);
  });
});
