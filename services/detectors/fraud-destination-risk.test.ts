import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DetectorEngine } from './engine';
import { expandRecords, type Fixture } from './fixture';
import { defaultCountryRiskFile, readCountryRiskFile } from './country-risk';
import { activeDetectors } from './registry';

const TFPS = path.resolve(__dirname, '../../../shared/data/fraud-lists/tfps_countries_risk.csv');
const dir = mkdtempSync(path.join(tmpdir(), 'country-risk-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const calls = (users: string[], settings: Record<string, unknown> = {}) => {
  const fixture: Fixture = {
    detector: 'fraud/destination-risk',
    about: '',
    settings,
    start: '2026-03-02T10:00:00.000Z',
    records: users.map((user, i) => ({ label: '', at_ms: i * 1000, record: { source: { ip: `203.0.113.${i + 1}` }, sip: { method: 'INVITE', status: 200, to: { user } } } })),
    expected: [],
  };
  const engine = new DetectorEngine(activeDetectors({ 'fraud/destination-risk': settings }).filter((a) => a.detector.id === 'fraud/destination-risk'));
  return expandRecords(fixture).flatMap((r) => engine.process(r));
};

describe('fraud/destination-risk', () => {
  it('is critical from critical_score, and its reason names the number, country, type and every part of the score', () => {
    const [iridium, jamaica] = calls(['011881631234567', '18765551234']);
    expect(iridium.severity).toBe('critical');
    expect(iridium.rule.description).toBe(
      '203.0.113.1 called +881631234567 (non-geographic, satellite): risk score 100 >= 60 (satellite +45, listed prefix +881 +40; not a usual destination of this source (0 earlier answered call(s)) +15)',
    );
    expect(jamaica.severity).toBe('high');
    expect(jamaica.rule.description).toContain('called +18765551234 (JM, mobile): risk score 60 >= 60 (mobile +10, JM risk 3 +35;');
    expect(jamaica.remediation).toBe('alert-only');
  });

  it('takes the operator\'s country list and scores, and skips calls from trusted sources', () => {
    const own = file('risk.csv', 'id,country,iso2,risk,continent\n1,"Korea, Republic of",KR,3,Asia\n');
    const [korea] = calls(['011822312345678', '18765551234'], { country_risk_file: own, country_scores: { '3': 50 }, trusted_sources: ['203.0.113.2'] });
    expect(korea.rule.description).toContain('KR risk 3 +50');
    expect(calls(['18765551234'], { trusted_sources: ['203.0.113.0/24'] })).toEqual([]);
  });

  it('reads the public TFPS country list, skipping its one damaged row, and the shipped default', () => {
    const tfps = readCountryRiskFile(TFPS);
    expect(Object.keys(tfps).length).toBeGreaterThan(200);
    expect([tfps.AF, tfps.AU]).toEqual([3, 1]);
    const ours = readCountryRiskFile(defaultCountryRiskFile());
    expect([ours.JM, ours.DO, ours.CU, ours.US]).toEqual([3, 3, 3, undefined]);
  });

  it('refuses a list without the columns or with a risk outside 1 to 3, naming the file', () => {
    expect(() => activeDetectors({ 'fraud/destination-risk': { country_risk_file: file('no-cols.csv', 'a,b\n1,2\n') } })).toThrow(/detectors\.fraud\/destination-risk: country_risk_file .*no-cols\.csv: expected a CSV header with the columns iso2 and risk/);
    expect(() => readCountryRiskFile(file('bad-risk.csv', 'iso2,risk\nCU,9\n'))).toThrow(/line 2 has no risk of 1 to 3/);
    expect(() => readCountryRiskFile(path.join(dir, 'missing.csv'))).toThrow(/country_risk_file .*missing\.csv/);
  });
});
