import { generate, demoScenario } from '../collector/synthetic';
import { validateSipFlow } from './validate';

describe('record validation at the edge', () => {
  const good = generate(demoScenario(Date.parse('2026-01-01T00:00:00Z'), 12), 10, 11)[0];

  it('accepts a complete SIP flow record', () => {
    expect(validateSipFlow(good)).toBe(true);
  });

  it.each([
    ['a wrong type', (r: any) => (r.source.port = '5060'), /port must be integer/],
    ['a non-IP source', (r: any) => (r.source.ip = '10.0.0.999'), /ip/],
    ['a bad time', (r: any) => (r['@timestamp'] = 'yesterday'), /@timestamp/],
    ['an unknown field', (r: any) => (r.sip.password = 'x'), /additional properties/],
    ['a missing call id', (r: any) => delete r.sip.call_id, /call_id/],
    ['a method with spaces', (r: any) => (r.sip.method = 'INVITE sip:x'), /method/],
  ])('rejects %s with a readable reason', (_what, mutate, reason) => {
    const r = structuredClone(good);
    mutate(r);
    expect(validateSipFlow(r)).toBe(false);
    expect(validateSipFlow.lastError()).toMatch(reason);
  });
});
