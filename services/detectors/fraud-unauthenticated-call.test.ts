// What the fixture cannot say: which findings may block (proof), which only alert, and how the
// number is read when the collector has normalised it.
import type { SipFlow } from '../core/records';
import { decide } from '../enforcer/decision-policy';
import { DetectorEngine } from './engine';
import detector, { outsideNumber } from './fraud-unauthenticated-call';
import { activeDetectors } from './registry';

let n = 0;
const invite = (ip: string, sip: Partial<SipFlow['sip']>, at = n): SipFlow =>
  ({
    '@timestamp': new Date(Date.parse('2026-03-02T10:00:00Z') + at * 1000).toISOString(),
    event: { id: `r${n++}`, kind: 'event', dataset: 'sip.flow' },
    source: { ip, port: 5060 },
    destination: { ip: '198.18.0.10', port: 5060 },
    network: { transport: 'udp' },
    sip: { call_id: `c${n}`, method: 'INVITE', to: { user: '9011972501234567' }, ...sip },
  }) as SipFlow;

// as an operator configures it: its own numbers (DIDs), so an outside number is one of nobody's
const engine = (settings: Record<string, unknown> = { own_numbers: ['1212555'] }) =>
  new DetectorEngine(activeDetectors({ [detector.id]: settings }).filter((a) => a.detector.id === detector.id));
const policy = { mode: 'enforce', block_ttl_seconds: 86400, rate_limit_ttl_seconds: 600, first_ban_seconds: 300 } as Parameters<typeof decide>[1];

describe('fraud/unauthenticated-call', () => {
  it('pages but never blocks while own_numbers is empty: a carrier delivering calls to our numbers looks the same', () => {
    const [f] = engine({}).process(invite('198.51.100.9', { status: 200, source_proven: true }));
    expect(f).toMatchObject({ severity: 'critical', remediation: 'alert-only' });
    expect(f.rule.description).toMatch(/own_numbers is not configured/);
    expect(decide(f, policy).action).toBe('alert-only');
  });

  it('blocks the source of an answered call it acknowledged, even among refused attempts (the proof is the answered call)', () => {
    const e = engine();
    for (let i = 0; i < 3; i++) e.process(invite('203.0.113.66', { status: 404 }));
    const [f] = e.process(invite('203.0.113.66', { status: 200, source_proven: true }));
    expect(f).toMatchObject({ severity: 'critical', remediation: 'block-source', source_proven: true, key: { type: 'ip', value: '203.0.113.66' } });
    expect(decide(f, policy).action).toBe('block');
    expect(decide(f, policy).ttl_seconds).toBe(86400);
  });

  it('gives a call that only rang (18x over UDP, never acknowledged) no proof: a forged source gets a first ban or a rate limit, never a long block', () => {
    const [f] = engine().process(invite('198.18.0.101', { status: 183 }));
    expect(f).toMatchObject({ severity: 'critical', source_proven: false });
    expect(decide({ ...f, source_established: true }, policy).action).toBe('rate-limit');
    expect(decide(f, policy).ttl_seconds).toBe(300);
  });

  it('only alerts on refused attempts', () => {
    const e = engine();
    const findings = Array.from({ length: 10 }, () => e.process(invite('203.0.113.50', { status: 403 }))).flat();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'medium', remediation: 'alert-only' });
  });

  it('reads the E.164 number the collector wrote, and leaves our own numbers alone', () => {
    const s = { own_numbers: ['1212555'], min_digits: 10 };
    const withE164 = (e164: string, user = '0') => invite('203.0.113.9', { to: { user, e164 } as SipFlow['sip']['to'] });
    expect(outsideNumber(withE164('+97250123'), s)).toBe('+97250123');
    expect(outsideNumber(withE164('+12125550142'), s)).toBeUndefined();
    // no e164: the digit rule (an extension is short)
    expect(outsideNumber(invite('203.0.113.9', { to: { user: '1001' } }), s)).toBeUndefined();
    expect(outsideNumber(invite('203.0.113.9', { to: { user: '011-972-50-123-4567' } }), s)).toBe('011972501234567');
    // garbage in the e164 field is not believed: the digit rule decides
    expect(outsideNumber(withE164('+1;drop', '1001'), s)).toBeUndefined();
  });
});
