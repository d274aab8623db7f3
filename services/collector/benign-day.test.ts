import type { SipFlow } from '../core/records';
import { BENIGN_DAY_PLAN, benignDay } from './benign-day';

// one hour of the call centre's shift (12:00-13:00 UTC) with the outage a quarter into it
const START = Date.parse('2026-01-01T12:00:00Z');
const hour = [...benignDay({ startMs: START, hours: 1, phones: 2000, seed: 3 })];
const times = hour.map((r) => Date.parse(r['@timestamp']));
const from = (ip: string) => hour.filter((r) => r.source.ip === ip);

describe('benignDay', () => {
  it('streams records in event-time order, the same for the same seed and different for another', () => {
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(START);
    expect(times.at(-1)!).toBeLessThan(START + 3_600_000);
    const again = [...benignDay({ startMs: START, hours: 0.05, phones: 300, seed: 3 })].map((r) => r.event.id);
    expect([...benignDay({ startMs: START, hours: 0.05, phones: 300, seed: 3 })].map((r) => r.event.id)).toEqual(again);
    expect([...benignDay({ startMs: START, hours: 0.05, phones: 300, seed: 4 })].map((r) => r.event.id)).not.toEqual(again);
  });

  it('puts 200 phones behind each NAT address, one of them with a stale password', () => {
    for (const site of BENIGN_DAY_PLAN.natSites) {
      const registering = from(site).filter((r) => r.sip.method === 'REGISTER');
      expect(new Set(registering.map((r) => r.sip.from?.user)).size).toBe(200);
      expect(new Set(registering.filter((r) => r.sip.status === 200).map((r) => r.sip.auth_user)).size).toBe(199);
    }
  });

  it('registers by challenge and response: 401 unproven without credentials, then 200 proven with them, on one Call-ID', () => {
    const phone = hour.filter((r) => r.sip.method === 'REGISTER' && r.sip.from?.user === '1500');
    expect(phone.length).toBeGreaterThanOrEqual(2);
    expect(phone.slice(0, 2).map((r) => [r.sip.status, r.sip.auth_user, r.sip.source_proven, r.sip.cseq])).toEqual([
      [401, undefined, false, 1],
      [200, '1500', true, 2],
    ]);
    expect(phone[1]!.sip.call_id).toBe(phone[0]!.sip.call_id);
  });

  it('has phones with a stale password failing about every 60 s, on the same account and address', () => {
    const stale = hour.filter((r) => r.sip.method === 'REGISTER' && r.sip.auth_user !== undefined && r.sip.status === 401);
    const accounts = new Set(stale.map((r) => r.sip.auth_user));
    expect(accounts.size).toBe(10);
    const one = stale.filter((r) => r.sip.auth_user === [...accounts][0]);
    expect(new Set(one.map((r) => r.source.ip)).size).toBe(1);
    // an hour less the 10-minute outage, one failure a minute
    expect(one.length).toBeGreaterThanOrEqual(45);
    expect(one.length).toBeLessThanOrEqual(51);
  });

  it('has a call centre dialling hundreds of distinct outside numbers an hour, with challenges and many failures', () => {
    const calls = from(BENIGN_DAY_PLAN.callCentre).filter((r) => r.sip.method === 'INVITE' && r.sip.auth_user !== undefined);
    expect(new Set(calls.map((r) => r.sip.to?.user)).size).toBeGreaterThan(300);
    const statuses = new Set(calls.map((r) => r.sip.status));
    for (const s of [200, 480, 486, 487]) expect(statuses).toContain(s);
    expect(from(BENIGN_DAY_PLAN.callCentre).some((r) => r.sip.method === 'INVITE' && r.sip.status === 407 && r.sip.auth_user === undefined)).toBe(true);
  });

  it('has international calls dialled with +, 00, 011 and 9011', () => {
    const day = [...benignDay({ startMs: START + 3_600_000, hours: 3, phones: 2000, seed: 3 })].filter((r) => r.sip.method === 'INVITE' && r.sip.auth_user);
    const forms = new Set(day.map((r) => /^(\+(?!1)|00|011|9011)/.exec(r.sip.to?.user ?? '')?.[1]).filter(Boolean));
    expect([...forms].sort()).toEqual(['+', '00', '011', '9011']);
  });

  it('has OPTIONS keep-alives from carriers (UDP) and customer SBCs (TCP, proven)', () => {
    for (const ip of [...BENIGN_DAY_PLAN.carriers, ...BENIGN_DAY_PLAN.customerSbcs]) expect(from(ip).filter((r) => r.sip.method === 'OPTIONS').length).toBeGreaterThan(50);
    expect(from(BENIGN_DAY_PLAN.customerSbcs[0]).every((r) => r.network.transport === 'tcp' && r.sip.source_proven)).toBe(true);
  });

  it('goes silent in the outage, then every phone re-registers within 3 minutes', () => {
    const outStart = START + 15 * 60_000;
    const outEnd = outStart + 10 * 60_000;
    expect(hour.filter((r) => Date.parse(r['@timestamp']) >= outStart && Date.parse(r['@timestamp']) < outEnd)).toEqual([]);
    const avalanche = hour.filter((r: SipFlow) => {
      const t = Date.parse(r['@timestamp']);
      return r.sip.method === 'REGISTER' && r.sip.status === 200 && t >= outEnd && t < outEnd + 181_000;
    });
    expect(new Set(avalanche.map((r) => r.sip.auth_user)).size).toBe(2000 - 10);
  });
});
