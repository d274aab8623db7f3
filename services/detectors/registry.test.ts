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

  it('takes horizons with the detector\'s own thresholds, and refuses bad ones naming the detector', () => {
    const [flood] = activeDetectors({ 'sip/digest-bruteforce': { horizons: [{ name: 'slow', window_seconds: 21600, min_failures: 60 }] } }).filter((a) => a.detector.id === 'sip/digest-bruteforce');
    expect((flood.settings as unknown as { horizons: unknown[] }).horizons).toHaveLength(1);
    const bad: Array<[unknown, RegExp]> = [
      [[{ name: 'slow' }], /horizons\[0\]\.window_seconds: missing; it is required here/],
      [[{ name: 'Slow Horizon', window_seconds: 60 }], /horizons\[0\]\.name: "Slow Horizon" is not allowed; expected text matching/],
      [[{ name: 'slow', window_seconds: 60, min_fails: 3 }], /horizons\[0\]\.min_fails: unknown key \(allowed here: .*min_failures[,)]/],
      [[{ name: 'slow', window_seconds: 200_000 }], /horizons\[0\]\.window_seconds: 200000 is not allowed; expected a number greater than 0 and at most 86400/],
      [[{ name: 'slow', window_seconds: 60, remediation: 'nuke' }], /horizons\[0\]\.remediation: "nuke" is not allowed; expected one of "block-source"/],
      [[{ name: 'a', window_seconds: 60 }, { name: 'a', window_seconds: 600 }], /horizons: the name 'a' is given twice/],
    ];
    for (const [horizons, message] of bad) {
      expect(() => activeDetectors({ 'sip/digest-bruteforce': { horizons } })).toThrow(/detectors\.sip\/digest-bruteforce/);
      expect(() => activeDetectors({ 'sip/digest-bruteforce': { horizons } })).toThrow(message);
    }
  });

  it.each(DETECTORS.filter((d) => d.methods).map((d) => [d.id, d]))('%s: observes no record of a method it does not declare', async (_id, d) => {
    const { expandRecords, loadFixture } = await import('./fixture');
    const fixture = loadFixture(d.id);
    const settings = activeDetectors(fixture.settings ? { [d.id]: fixture.settings } : {}).find((a) => a.detector.id === d.id)!.settings;
    let observed = 0;
    for (const r of expandRecords(fixture)) {
      if (r.event.dataset !== 'sip.flow') continue;
      const other = { ...r, sip: { ...(r as { sip: object }).sip, method: 'OPTIONS' } } as typeof r;
      if (d.methods!.includes('OPTIONS')) continue;
      expect(d.observe(other, settings)).toBeUndefined();
      if (d.methods!.includes((r as { sip: { method: string } }).sip.method.toUpperCase()) && d.observe(r, settings)) observed++;
    }
    // the fixture exercises the methods it declares
    expect(observed).toBeGreaterThan(0);
  });
});
