import Ajv from 'ajv';
import { activeDetectors, DETECTORS } from './registry';

describe('detector registry', () => {
  it('has unique ids, namespaced by family', () => {
    const ids = DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(sip|fraud|policy|relay)\/[a-z0-9-]+$/);
  });

  it.each(DETECTORS.map((d) => [d.id, d]))('%s: its defaults pass its own settings schema', (_id, d) => {
    const specific = Object.fromEntries(Object.entries(d.defaults).filter(([k]) => k in d.settingsSchema));
    const check = new Ajv({ strict: false }).compile({ type: 'object', additionalProperties: false, properties: d.settingsSchema });
    expect(check(specific) || check.errors).toBe(true);
  });

  it('names the detector and the setting when a start-time check fails', () => {
    expect(() => activeDetectors({ 'policy/trunk-to-trunk-transfer': { trunk_addresses: ['192.0.2.0/33'] } })).toThrow(
      /detectors\.policy\/trunk-to-trunk-transfer: trunk_addresses: bad prefix length/,
    );
    expect(() => activeDetectors({ 'sip/registration-hijack': { relays: ['proxy-1'] } })).toThrow(/detectors\.sip\/registration-hijack: relays: not an IP/);
    expect(() =>
      activeDetectors({ 'fraud/after-hours': { business_hours: { default: { time_zone: 'Mars/Olympus_Mons', days: [1], start: '08:00', end: '18:00' } } } }),
    ).toThrow(/detectors\.fraud\/after-hours: business_hours\.default\.time_zone: unknown time zone/);
    expect(() => activeDetectors({ 'policy/untrusted-trunk': { trunks: [{ name: 'carrier-a', addresses: ['198.51.100.0/40'] }] } })).toThrow(
      /detectors\.policy\/untrusted-trunk: trunks\.carrier-a\.addresses: bad prefix length/,
    );
  });

  it('refuses a setting a detector does not have', () => {
    expect(() => activeDetectors({ 'sip/options-sweep': { min_hosts: 5 } })).toThrow(/detectors\.sip\/options-sweep\.min_hosts: unknown key \(allowed here: enabled, window_seconds, /);
  });
});
