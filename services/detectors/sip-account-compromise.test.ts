// What the fixture cannot say: which findings may suspend (proof), which only alert.
import { decide } from '../enforcer/decision-policy';
import { DetectorEngine } from './engine';
import { expandRecords, loadFixture } from './fixture';
import { activeDetectors } from './registry';
import detector, { networkOf, uaFamily } from './sip-account-compromise';

const policy = { mode: 'enforce', block_ttl_seconds: 86400, rate_limit_ttl_seconds: 600, first_ban_seconds: 300 } as Parameters<typeof decide>[1];

describe('sip/account-compromise', () => {
  const engine = new DetectorEngine(activeDetectors({}).filter((a) => a.detector.id === detector.id));
  const findings = expandRecords(loadFixture(detector.id)).flatMap((r) => engine.process(r));
  const decided = Object.fromEntries(findings.map((f) => [f.key.value, [f.severity, f.source_proven, decide(f, policy).action]]));

  it('suspends an account only when the refusals and the success proved the same address', () => {
    expect(decided['107']).toEqual(['critical', true, 'suspend-account']);
  });

  it('alerts (high, no page) and does not suspend on refusals that proved nothing: a rotating botnet, or refusals forged from a phone', () => {
    expect(decided['108']).toEqual(['high', false, 'alert-only']);
    expect(decided['109']).toEqual(['high', false, 'alert-only']);
  });

  it('only alerts on a new User-Agent family or network, though the registration itself was proven', () => {
    expect(decided['110']).toEqual(['low', true, 'alert-only']);
    expect(decided['111']).toEqual(['low', true, 'alert-only']);
  });

  it('reads User-Agent families and networks', () => {
    expect(['Yealink SIP-T54W 96.86', 'Linphone/5.2.0', '"Zoiper" rv2', 'friendly-scanner', '', undefined].map(uaFamily)).toEqual(['yealink', 'linphone', 'zoiper', 'friendly-scanner', '-', '-']);
    expect(networkOf('198.51.100.77', 24, 48)).toBe('198.51.100.0/24');
    expect(networkOf('2001:db8:1:2::5', 24, 48)).toBe('2001:db8:1::/48');
    expect(networkOf('not an address', 24, 48)).toBe('not an address');
  });
});
