import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Decision, Finding } from '../core/records';
import { readCaptureSet } from './capture-set';
import { benignHours, summariseByFamily } from './family-summary';
import { parseLabels } from './labels';
import { score } from './score';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const finding = (id: string, rule: string, category: string, type: 'ip' | 'cidr' | 'account', value: string, s: number): Finding =>
  ({ '@timestamp': at(s), event: { id }, rule: { id: rule, category }, key: { type, value } }) as unknown as Finding;
const block = (id: string, findingId: string, target: string): Decision =>
  ({ id, '@timestamp': at(0), action: 'block', target: { type: 'ip', value: target }, finding_ids: [findingId], origin: { type: 'detector', id: 'x' } }) as unknown as Decision;

const labels = parseLabels(
  JSON.stringify({
    address_plan: { pbx: { ip: '192.0.2.10' } },
    events: [
      { id: 'rot', kind: 'rotating_flood', key: { type: 'cidr', value: '203.0.113.0/24' }, source_ip: ['203.0.113.0/24'], start: at(600), end: at(1200) },
      { id: 'bf', kind: 'bruteforce', key: [{ type: 'ip', value: '203.0.113.99' }, { type: 'account', value: '1007' }], source_ip: ['203.0.113.99'], start: at(1800), end: at(2400) },
      { id: 'gw', kind: 'open_gateway', family: 'fraud', detectors: ['fraud/unauthenticated-call'], source_ip: ['203.0.113.77'], start: at(3000), end: at(3300) },
    ],
  }),
);

describe('labels', () => {
  it('take family, detectors and keys from the event, else from its kind', () => {
    expect(labels.events.map((e) => [e.id, e.family, e.detectors, e.keys?.map((k) => `${k.type}=${k.value}`)])).toEqual([
      ['rot', 'dos', [], ['cidr=203.0.113.0/24']],
      ['bf', 'credential', ['sip/digest-bruteforce', 'sip/digest-bruteforce-account', 'sip/credential-stuffing'], ['ip=203.0.113.99', 'account=1007']],
      ['gw', 'fraud', ['fraud/unauthenticated-call'], undefined],
    ]);
  });

  it('refuse a key without a known type', () => {
    expect(() => parseLabels(JSON.stringify({ events: [{ id: 'x', kind: 'scan', start: at(0), end: at(1), key: { type: 'port', value: '5060' } }] }), 'x.json')).toThrow(/x\.json: event x: each key needs a type/);
  });
});

describe('summariseByFamily', () => {
  const findings = [
    finding('f1', 'sip/digest-bruteforce', 'credential', 'ip', '203.0.113.98', 1810), // right family, wrong key: false
    finding('f2', 'sip/digest-bruteforce-account', 'credential', 'account', '1007', 1830),
    finding('f3', 'fraud/unauthenticated-call', 'fraud', 'ip', '203.0.113.77', 3012),
    finding('f4', 'sip/scanner-ua', 'recon', 'ip', '198.51.100.7', 100), // benign time: false
  ];
  const decisions = [block('d1', 'f3', '203.0.113.77'), block('d2', 'f4', '198.51.100.7'), block('d3', 'f1', '192.0.2.10')];
  const s = score(labels, findings, decisions);
  const run = { name: 'x', events: labels.events, score: s, decisions, findings, span: { firstMs: T0, lastMs: T0 + 4 * 3_600_000 } };

  it('counts benign hours as the span less every attack and its trail', () => {
    expect(benignHours(run)).toBeCloseTo(4 - (660 + 660 + 360) / 3600, 6);
  });

  it('gives recall, time to detect, false findings per benign hour and innocent blocks per family', () => {
    const sum = summariseByFamily([run, { ...run, name: 'benign', events: [], score: score({ events: [], neverBlock: [] }, [], []), decisions: [], findings: [] }]);
    expect(sum.benignHours).toBeCloseTo(4 + benignHours(run), 6);
    const hours = sum.benignHours;
    expect(sum.rows).toEqual([
      { family: 'credential', attacks: 1, detected: 1, recall: 1, medianSeconds: 30, worstSeconds: 30, falseFindings: 1, falsePerHour: 1 / hours, innocentBlocks: 1 },
      { family: 'dos', attacks: 1, detected: 0, recall: 0, falseFindings: 0, falsePerHour: 0, innocentBlocks: 0 },
      { family: 'fraud', attacks: 1, detected: 1, recall: 1, medianSeconds: 12, worstSeconds: 12, falseFindings: 0, falsePerHour: 0, innocentBlocks: 0 },
      { family: 'recon', attacks: 0, detected: 0, falseFindings: 1, falsePerHour: 1 / hours, innocentBlocks: 1 },
    ]);
  });
});

describe('readCaptureSet', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callsentry-capture-set-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('pairs X.pcap|pcapng|ndjson with X.labels.json; a capture without labels is benign; labels without a capture are refused', () => {
    fs.writeFileSync(path.join(dir, 'a.ndjson'), '');
    fs.writeFileSync(path.join(dir, 'a.labels.json'), JSON.stringify({ events: [] }));
    fs.writeFileSync(path.join(dir, 'b.pcap'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    expect(readCaptureSet(dir).map((c) => [c.name, path.basename(c.file), c.benign])).toEqual([
      ['a', 'a.ndjson', false],
      ['b', 'b.pcap', true],
    ]);
    fs.writeFileSync(path.join(dir, 'c.labels.json'), '{}');
    expect(() => readCaptureSet(dir)).toThrow(/labels without a capture .*: c\.labels\.json/);
  });
});
