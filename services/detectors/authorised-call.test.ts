import type { SipFlow } from '../core/records';
import { isAuthorisedCall, outsideCallDigits } from './authorised-call';

const invite = (sip: Partial<SipFlow['sip']>): SipFlow =>
  ({ source: { ip: '203.0.113.200' }, sip: { call_id: 'c', method: 'INVITE', to: { user: '+8816802800' }, ...sip } }) as SipFlow;

describe('a call counts only as the switch would bill it', () => {
  it('counts an INVITE accepted (18x, 2xx) after the caller proved itself: a challenge answered, or a trusted trunk', () => {
    expect(isAuthorisedCall(invite({ status: 200, auth_user: '105', source_proven: true }))).toBe(true);
    expect(isAuthorisedCall(invite({ status: 202, account: 'trunk-a', source_proven: true }))).toBe(true);
    expect(isAuthorisedCall(invite({ status: 183, account: 'trunk-a', source_proven: true }))).toBe(true);
    expect(outsideCallDigits(invite({ status: 200, auth_user: '105', source_proven: true }), 7)).toBe('8816802800');
  });

  it.each([483, 404, 486, 487, 500, 503, 603, 401, 407, 403])('an INVITE answered %i cost nothing', (status) => {
    expect(isAuthorisedCall(invite({ status, auth_user: '105', source_proven: true }))).toBe(false);
  });

  it('an INVITE that only got 100 Trying (no final answer) cost nothing', () => {
    expect(isAuthorisedCall(invite({ auth_user: '105', source_proven: true }))).toBe(false);
  });

  it('a name in an unchallenged Proxy-Authorization header is a claim: unproven, it charges nobody', () => {
    expect(isAuthorisedCall(invite({ status: 200, auth_user: '105', source_proven: false }))).toBe(false);
    expect(isAuthorisedCall(invite({ status: 200, auth_user: '105' }))).toBe(false);
    expect(outsideCallDigits(invite({ status: 200, auth_user: '105' }), 7)).toBeUndefined();
  });

  it('a request other than INVITE, or one charged to no account, is no call', () => {
    expect(isAuthorisedCall(invite({ method: 'MESSAGE', status: 200, auth_user: '105', source_proven: true }))).toBe(false);
    expect(isAuthorisedCall(invite({ status: 200, source_proven: true }))).toBe(false);
  });
});
