import { existsSync } from 'node:fs';
import { validateFinding, validateMalformedSip, validateMediaFlow, validateSipFlow } from '../core/validate';
import { isSipFlow } from './definition';
import { DetectorEngine } from './engine';
import { expandRecords, fixturePath, loadFixture } from './fixture';
import { activeDetectors, DETECTORS } from './registry';

describe.each(DETECTORS.map((d) => [d.id]))('detector %s', (id) => {
  it('has a fixture beside it', () => {
    expect(existsSync(fixturePath(id))).toBe(true);
  });

  it('produces exactly the findings its fixture expects', () => {
    const fixture = loadFixture(id);
    expect(fixture.detector).toBe(id);
    const records = expandRecords(fixture);
    for (const r of records) {
      const validate = isSipFlow(r) ? validateSipFlow : r.event.dataset === 'sip.malformed' ? validateMalformedSip : validateMediaFlow;
      expect(validate(r) || validate.lastError()).toBe(true);
    }

    const active = activeDetectors({ [id]: fixture.settings ?? {} }).filter((a) => a.detector.id === id);
    const engine = new DetectorEngine(active);
    const findings = records.flatMap((r) => engine.process(r));

    for (const f of findings) expect(validateFinding(f) || validateFinding.lastError()).toBe(true);
    const got = findings.map((f) => ({ key: f.key.value, at: f['@timestamp'], horizon: f.window.horizon, counts: f.counts, observed: f.evidence.observed ?? {} }));
    const want = fixture.expected.map((e) => ({ key: e.key, at: e.at, horizon: e.horizon, counts: expect.objectContaining(e.counts ?? {}), observed: expect.objectContaining(e.observed ?? {}) }));
    expect(got).toEqual(want);
  });
});
