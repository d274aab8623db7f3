import type { AuditEvent, Decision } from '../core/records';
import { decision } from '../enforcer/test-decisions';
import { LiveState, type LiveEvent } from './live-state';

const request = (ref: { kind: string; id: string }, id = 'req-1'): AuditEvent => ({
  '@timestamp': '2026-01-01T00:00:00Z',
  id,
  actor: { type: 'operator', id: 'ana' },
  what: 'unblock ip=203.0.113.5 at firewall',
  why: 'customer PBX',
  result: 'requested',
  outcome: 'requested',
  ref,
  ticket: 'NOC-1',
});

const unblock: Decision = decision('op-1', 'unblock', 'firewall', '203.0.113.5', { ttl_seconds: 0, mode: 'dry-run', origin: { type: 'operator', id: 'ana' }, operator: { who: 'ana', why: 'customer PBX', ticket: 'NOC-1' } });

describe('the console’s operator actions', () => {
  it('show the result once the enforcer has one: the request row is sent again, same id, with it', () => {
    const s = new LiveState(10, () => 0);
    const heard: LiveEvent[] = [];
    s.listen((e) => heard.push(e));
    s.auditEvent(request({ kind: 'decision', id: 'op-1' }));
    expect(s.snapshot().audit[0]).toMatchObject({ id: 'req-1', outcome: 'requested' });
    s.decision({ ...unblock, outcome: { result: 'removed', at: '2026-01-01T00:00:01Z' } });
    expect(s.snapshot().audit).toEqual([expect.objectContaining({ id: 'req-1', outcome: 'removed', result: 'dry-run(removed)' })]);
    expect(heard.filter((e) => e.type === 'audit').map((e) => (e.data as AuditEvent).outcome)).toEqual(['requested', 'removed']);
  });

  it('also when the outcome arrives before the request (two topics), and for a refused one says which guardrail', () => {
    const s = new LiveState(10, () => 0);
    s.decision({ ...unblock, action: 'block', ttl_seconds: 60, outcome: { result: 'refused', at: '2026-01-01T00:00:01Z', guardrail: 'platform-address', reason: '203.0.113.5 is the platform’s own address' } });
    s.auditEvent(request({ kind: 'decision', id: 'op-1' }));
    expect(s.snapshot().audit[0]).toMatchObject({ outcome: 'refused', result: 'refused(platform-address): 203.0.113.5 is the platform’s own address' });
  });

  it('an allowlist change gets the enforcer’s word on the entry', () => {
    const s = new LiveState(10, () => 0);
    s.auditEvent(request({ kind: 'allowlist', id: '198.51.100.0/24' }, 'req-2'));
    s.auditEvent({ ...request({ kind: 'allowlist', id: '198.51.100.0/24' }, 'enf-1'), actor: { type: 'enforcer', id: 'e1' }, result: 'applied: in force, 0 live block(s) inside lifted', outcome: 'applied' });
    expect(s.snapshot().audit).toEqual([expect.objectContaining({ id: 'req-2', outcome: 'applied', result: 'applied: in force, 0 live block(s) inside lifted' })]);
  });

  it('decisions carry their outcome to the page', () => {
    const s = new LiveState(10, () => 0);
    s.decision({ ...decision('d1', 'block', 'firewall', '192.0.2.7', { mode: 'dry-run' }), outcome: { result: 'refused', at: '2026-01-01T00:00:01Z', guardrail: 'allowlist', reason: 'in 192.0.2.0/24' } });
    expect(s.snapshot().decisions[0]).toMatchObject({ status: 'refused(allowlist)', outcome: 'refused', ttl_applied_seconds: null });
  });
});
